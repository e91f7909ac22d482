window.YTD.tweets.part0 = [ {
  "tweet" : {
    "edit_info" : { "initial" : { "editTweetIds" : [ "1880000000000000001" ], "editableUntil" : "2026-01-09T01:00:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
    "retweeted" : false,
    "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
    "entities" : {
      "hashtags" : [ { "text" : "CareerClub", "indices" : [ "4", "15" ] } ],
      "symbols" : [ ],
      "user_mentions" : [ ],
      "urls" : [ { "url" : "https://t.co/AbC123", "expanded_url" : "https://example.org/careers/negotiation", "display_url" : "example.org/careers/negotia…", "indices" : [ "62", "85" ] } ]
    },
    "display_text_range" : [ "0", "85" ],
    "favorite_count" : "12",
    "id_str" : "1880000000000000001",
    "truncated" : false,
    "retweet_count" : "3",
    "id" : "1880000000000000001",
    "created_at" : "Thu Jan 08 19:00:05 +0000 2026",
    "favorited" : false,
    "full_text" : "Q1 #CareerClub: how do you prepare a salary talk? &amp; what do you read first? https://t.co/AbC123",
    "lang" : "en"
  }
}, {
  "tweet" : {
    "edit_info" : { "edit" : { "initialTweetId" : "1880000000000000002", "editControlInitial" : { "editTweetIds" : [ "1880000000000000002", "1880000000000000009" ] } } },
    "retweeted" : false,
    "source" : "web",
    "entities" : {
      "hashtags" : [ { "text" : "CareerClub", "indices" : [ "3", "14" ] } ],
      "symbols" : [ ],
      "user_mentions" : [ { "name" : "Sam", "screen_name" : "sam_k", "indices" : [ "20", "26" ], "id_str" : "2002", "id" : "2002" } ],
      "urls" : [ ],
      "media" : [ { "id_str" : "77", "indices" : [ "40", "63" ], "media_url_https" : "https://pbs.twimg.com/media/abc.jpg", "url" : "https://t.co/MeDiA1", "type" : "photo", "expanded_url" : "https://x.com/maya_o/status/1880000000000000009/photo/1" } ]
    },
    "extended_entities" : { "media" : [ { "id_str" : "77", "indices" : [ "40", "63" ], "media_url_https" : "https://pbs.twimg.com/media/abc.jpg", "url" : "https://t.co/MeDiA1", "type" : "photo", "ext_alt_text" : "a chart of salaries" } ] },
    "display_text_range" : [ "0", "39" ],
    "favorite_count" : "4",
    "in_reply_to_status_id_str" : "1880000000000000001",
    "in_reply_to_screen_name" : "maya_o",
    "id_str" : "1880000000000000009",
    "id" : "1880000000000000009",
    "created_at" : "Thu Jan 08 19:09:00 +0000 2026",
    "full_text" : "A1 #CareerClub with @sam_k: data first (edited) https://t.co/MeDiA1",
    "lang" : "en"
  }
}, {
  "tweet" : {
    "source" : "web",
    "entities" : { "hashtags" : [ ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
    "display_text_range" : [ "0", "30" ],
    "favorite_count" : "0",
    "id_str" : "1880000000000000003",
    "id" : "1880000000000000003",
    "created_at" : "Thu Jan 08 19:20:00 +0000 2026",
    "quoted_status_id_str" : "1880000000000000001",
    "full_text" : "Quoting my own question &gt; worth it",
    "lang" : "en"
  }
} ]

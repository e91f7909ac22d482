window.YTD.community_tweet.part0 = [ {
  "tweet" : {
    "retweeted" : false,
    "source" : "<a href=\"http://twitter.com/download/android\" rel=\"nofollow\">Twitter for Android</a>",
    "entities" : {
      "hashtags" : [ { "text" : "CareerClub", "indices" : [ "3", "14" ] } ],
      "symbols" : [ ],
      "user_mentions" : [ ],
      "urls" : [ { "url" : "https://t.co/CoMm01", "expanded_url" : "https://example.org/salary-survey", "display_url" : "example.org/salary-survey", "indices" : [ "47", "70" ] } ]
    },
    "display_text_range" : [ "0", "70" ],
    "favorite_count" : "10",
    "id_str" : "1880000000000000102",
    "scopes" : {
      "followers" : false
    },
    "truncated" : false,
    "retweet_count" : "0",
    "id" : "1880000000000000102",
    "community_id" : "1611684946967412736",
    "community_id_str" : "1611684946967412736",
    "created_at" : "Thu Jan 08 19:12:30 +0000 2026",
    "favorited" : false,
    "full_text" : "A2 #CareerClub posted in the community: see https://t.co/CoMm01",
    "lang" : "en"
  }
} ]

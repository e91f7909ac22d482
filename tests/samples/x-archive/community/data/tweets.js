window.YTD.tweets.part0 = [ {
  "tweet" : {
    "edit_info" : { "initial" : { "editTweetIds" : [ "1880000000000000101" ], "editableUntil" : "2026-01-08T20:06:00.000Z", "editsRemaining" : "5", "isEditEligible" : true } },
    "retweeted" : false,
    "source" : "<a href=\"https://mobile.twitter.com\" rel=\"nofollow\">Twitter Web App</a>",
    "entities" : {
      "hashtags" : [ { "text" : "CareerClub", "indices" : [ "3", "14" ] } ],
      "symbols" : [ ],
      "user_mentions" : [ { "name" : "Maya Okafor", "screen_name" : "maya_o", "indices" : [ "15", "22" ], "id_str" : "1001", "id" : "1001" } ],
      "urls" : [ ]
    },
    "display_text_range" : [ "0", "58" ],
    "favorite_count" : "4",
    "in_reply_to_status_id_str" : "1880000000000000001",
    "id_str" : "1880000000000000101",
    "in_reply_to_user_id" : "1001",
    "truncated" : false,
    "retweet_count" : "0",
    "id" : "1880000000000000101",
    "in_reply_to_status_id" : "1880000000000000001",
    "created_at" : "Thu Jan 08 19:06:00 +0000 2026",
    "favorited" : false,
    "full_text" : "A1 #CareerClub @maya_o I write my number down first",
    "lang" : "en",
    "in_reply_to_screen_name" : "maya_o",
    "in_reply_to_user_id_str" : "1001"
  }
} ]

window.YTD.deleted_tweets.part0 = [ {
  "tweet" : {
    "retweeted" : false,
    "source" : "web",
    "entities" : { "hashtags" : [ { "text" : "CareerClub", "indices" : [ "3", "14" ] } ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
    "display_text_range" : [ "0", "40" ],
    "favorite_count" : "0",
    "id_str" : "1880000000000000103",
    "truncated" : false,
    "retweet_count" : "0",
    "id" : "1880000000000000103",
    "created_at" : "Thu Jan 08 19:20:00 +0000 2026",
    "deleted_at" : "Thu Jan 08 19:22:10 +0000 2026",
    "favorited" : false,
    "full_text" : "A3 #CareerClub typo-ridden, deleted",
    "lang" : "en"
  }
} ]

window.YTD.deleted_tweets.part0 = [ {
  "tweet" : {
    "source" : "web",
    "entities" : { "hashtags" : [ { "text" : "CareerClub", "indices" : [ "0", "11" ] } ], "symbols" : [ ], "user_mentions" : [ ], "urls" : [ ] },
    "favorite_count" : "0",
    "id_str" : "1880000000000000004",
    "id" : "1880000000000000004",
    "created_at" : "Thu Jan 08 19:30:00 +0000 2026",
    "deleted_at" : "Thu Jan 08 19:31:00 +0000 2026",
    "full_text" : "#CareerClub oops, wrong link",
    "lang" : "en"
  }
} ]

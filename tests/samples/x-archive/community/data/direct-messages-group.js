window.YTD.direct_messages_group.part0 = [ {
  "dmConversation" : {
    "conversationId" : "1880000000000000300",
    "messages" : [ {
      "messageCreate" : {
        "reactions" : [ ],
        "urls" : [ ],
        "text" : "hosts only: Q4 swapped with Q5",
        "mediaUrls" : [ ],
        "senderId" : "1001",
        "id" : "1880000000000000301",
        "createdAt" : "2026-01-08T18:40:00.000Z"
      }
    }, {
      "participantsJoin" : {
        "initiatingUserId" : "1001",
        "userIds" : [ "2002" ],
        "createdAt" : "2026-01-08T18:39:00.000Z"
      }
    } ],
    "name" : "CareerClub hosts"
  }
} ]

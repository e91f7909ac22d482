window.YTD.direct_messages.part0 = [ {
  "dmConversation" : {
    "conversationId" : "1001-2002",
    "messages" : [ {
      "messageCreate" : {
        "recipientId" : "2002",
        "reactions" : [ ],
        "urls" : [ ],
        "text" : "thanks for joining tonight! can I quote your A1 in the recap?",
        "mediaUrls" : [ ],
        "senderId" : "1001",
        "id" : "1880000000000000201",
        "createdAt" : "2026-01-08T20:10:00.000Z"
      }
    }, {
      "messageCreate" : {
        "recipientId" : "1001",
        "reactions" : [ ],
        "urls" : [ { "url" : "https://t.co/Dm0001", "expanded" : "https://example.org/my-notes", "display" : "example.org/my-notes" } ],
        "text" : "sure &amp; here are my notes https://t.co/Dm0001",
        "mediaUrls" : [ ],
        "senderId" : "2002",
        "id" : "1880000000000000202",
        "createdAt" : "2026-01-08T20:12:00.000Z"
      }
    } ]
  }
} ]

window.YTD.account.part0 = [ {
  "account" : {
    "email" : "lee@example.org",
    "createdVia" : "web",
    "username" : "lee_writes",
    "accountId" : "2002",
    "createdAt" : "2019-05-01T10:00:00.000Z",
    "accountDisplayName" : "Lee Chen"
  }
} ]

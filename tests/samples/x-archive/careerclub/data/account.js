window.YTD.account.part0 = [ {
  "account" : {
    "email" : "maya@example.org",
    "createdVia" : "web",
    "username" : "maya_o",
    "accountId" : "1001",
    "createdAt" : "2015-03-01T10:00:00.000Z",
    "accountDisplayName" : "Maya Okafor"
  }
} ]

package search

// The vocabulary: small hand-made tables of the words people and API
// documents use for the same things. Every entry is general API
// vocabulary (CRUD verbs, common resources, billing, source control,
// people), not tied to one API or to the phrasings the ranking is tested
// on. Entries are written as plain words; they are stemmed when the
// package loads, so "issues" and "issue" need one entry.

// stopWordList says nothing about which action is meant. Question words
// and pronouns are here too: related gives the few that carry a hint
// ("who" → a user, "my" → the authenticated user) their meaning first.
const stopWordList = `a an the of for to in on at by with from into onto out over about and or
under above below between through via within without across along around behind beyond upon
is are was were be been being am it its this that these those there here
i me my mine myself we our ours us you your yours he she they them their his her
can could would should will shall do does did done have has had having
some any so as if then than please just also only very want need like
what which who whom whose how where when why whats s t ve ll d re m`

// synonymGroups are words that mean the same in an API's documents and in
// a person's wording; each maps to the first word of its group, in the
// documents and in the query alike.
var synonymGroups = []string{
	// verbs
	"delete remove destroy erase purge discard trash",
	"get fetch retrieve read obtain lookup",
	"show view display see",
	"list enumerate all every everything browse",
	"create new add make insert generate",
	"update edit change modify alter amend",
	"search find",
	"cancel abort terminate",
	"rerun retry rerequest",
	"approve accept",
	"reject decline deny",
	"block ban",
	"disable deactivate",
	"enable activate",
	"send sent",
	"pay paid",
	"compare diff difference",
	"download export",
	"upload import",
	"protection protect protected",
	"contributor contribute contribution",
	"subscription subscribe",
	"notification notify notified",
	// resources
	"repository repo repos",
	"reference ref refs",
	"organization org organisation",
	"pull pr prs",
	"user person people someone somebody",
	"member membership",
	"webhook hook",
	"email mail",
	"configuration config setting settings preference",
	"detail information info",
	"refund reimburse reimbursement",
	"dispute chargeback",
	"customer buyer shopper payer purchaser",
	"money fund funds cash",
	"latest newest recent",
	"monthly yearly weekly annual annually recurring",
	"login signin",
}

// irregular maps irregular forms to the word they are a form of, before
// stemming.
var irregular = map[string]string{
	"made": "make", "ran": "run", "wrote": "write", "written": "write", "gave": "give", "given": "give",
	"took": "take", "taken": "take", "left": "leave", "bought": "buy", "sold": "sell", "found": "find",
	"chose": "choose", "chosen": "choose", "held": "hold", "spent": "spend", "kept": "keep", "built": "build",
	"got": "get", "gotten": "get", "saw": "see", "seen": "see", "shown": "show", "did": "do", "done": "do",
	"began": "begin", "begun": "begin", "brought": "bring", "came": "come", "went": "go",
}

// phrases are word sequences that stand for one word, in documents and
// queries alike (matched on stems, so "pull requests" is "pull request").
var phrases = map[string]string{
	"pull request":     "pull",
	"merge request":    "pull",
	"look up":          "lookup",
	"set up":           "setup",
	"sign up":          "signup",
	"sign in":          "login",
	"log in":           "login",
	"get rid of":       "delete",
	"money back":       "refund",
	"pay back":         "refund",
	"give back":        "refund",
	"web hook":         "webhook",
	"e mail":           "email",
	"re run":           "rerun",
	"credit card":      "card",
	"debit card":       "card",
	"bug report":       "issue",
	"check out":        "checkout",
	"top up":           "topup",
	"turn off":         "disable",
	"switch off":       "disable",
	"turn on":          "enable",
	"switch on":        "enable",
	"every month":      "monthly",
	"each month":       "monthly",
	"every year":       "yearly",
	"every week":       "weekly",
	"access token":     "token",
	"what in":          "lookup",
	"get notified":     "notify",
	"be notified":      "notify",
	"get paid":         "pay",
	"hand over":        "transfer",
	"billing address":  "address",
	"shipping address": "address",
	"ci run":           "workflow",
	"github action":    "workflow",
	"one time":         "onetime",
	"one off":          "onetime",
	"tax id":           "taxid",
	"vat number":       "taxid",
	"feature branch":   "branch",
	"default branch":   "branch",
	"main branch":      "branch",
	"master branch":    "branch",
}

// decompose adds the words a word implies, in documents and queries: a
// person noun is also a user ("stargazers" are users who starred),
// "rename" updates a name. (An un- verb also deletes: see analyzer.)
var decompose = map[string][]string{
	"stargazer":     {"star", "user"},
	"follower":      {"follow", "user"},
	"subscriber":    {"subscription", "user"},
	"member":        {"user"},
	"assignee":      {"assign", "user"},
	"reviewer":      {"review", "user"},
	"owner":         {"user"},
	"collaborator":  {"user"},
	"contributor":   {"user"},
	"admin":         {"user"},
	"administrator": {"admin", "user"},
	"recipient":     {"user"},
	"author":        {"user"},
	"committer":     {"commit", "user"},
	"rename":        {"update", "name"},
	"revoke":        {"delete"},
	"taxid":         {"tax", "id"},
	"signup":        {"create", "subscription"},
	"setup":         {"create"},
	"payout":        {"payout", "bank"},
}

// related are looser associations, used in the query only, each with a
// weight: a person's word for what documents call otherwise ("open an
// issue" creates it, a "bill" is an invoice or a charge, "my" is the
// authenticated user). A query word keeps its own meaning too; the best
// of them counts.
var related = map[string]map[string]float64{
	"my":   {"authenticated": 0.3},
	"me":   {"authenticated": 0.3},
	"i":    {"authenticated": 0.3},
	"mine": {"authenticated": 0.3},
	"who":  {"user": 0.5},
	"whom": {"user": 0.5},
	// verbs
	"open":    {"open": 0.4, "create": 0.7},
	"start":   {"start": 0.5, "create": 0.6},
	"give":    {"give": 0.3, "create": 0.5},
	"issue":   {"create": 0.3},
	"store":   {"create": 0.6, "update": 0.4},
	"set":     {"update": 0.7, "create": 0.4},
	"replace": {"update": 0.8},
	"stop":    {"cancel": 0.8, "delete": 0.5, "disable": 0.5},
	"cancel":  {"delete": 0.5},
	"clear":   {"delete": 0.6},
	"check":   {"get": 0.5},
	"trigger": {"dispatch": 0.8, "run": 0.6, "create": 0.3},
	"run":     {"dispatch": 0.5, "rerun": 0.3},
	"next":    {"upcoming": 0.7},
	"ask":     {"request": 0.7},
	"belong":  {"member": 0.9},
	"sell":    {"product": 0.7, "price": 0.4},
	"pay":     {"payment": 0.7},
	"bill":    {"invoice": 0.7, "charge": 0.6, "subscription": 0.4},
	"take":    {"take": 0.3, "create": 0.5, "charge": 0.4},
	"ready":   {"finalize": 0.6},
	"share":   {"create": 0.4, "link": 0.4},
	"notify":  {"webhook": 0.5, "notification": 0.6},
	"history": {"history": 0.5, "list": 0.8},
	"show":    {"show": 0.3, "get": 0.6, "list": 0.5},
	"approve": {"review": 0.5},
	"protect": {"update": 0.5},
	// nouns
	"bug":     {"issue": 0.8},
	"ticket":  {"issue": 0.8},
	"project": {"repository": 0.5},
	"ci":      {"workflow": 0.7, "check": 0.5},
	"version": {"release": 0.7, "tag": 0.4},
	"branch":  {"reference": 0.6},
	// time words filter by date
	"day":          {"day": 0.3, "created": 0.3, "since": 0.3, "date": 0.3},
	"week":         {"week": 0.3, "created": 0.3, "since": 0.3, "date": 0.3},
	"month":        {"month": 0.3, "created": 0.3, "since": 0.3, "date": 0.3},
	"year":         {"year": 0.3, "created": 0.3, "since": 0.3, "date": 0.3},
	"today":        {"created": 0.3, "since": 0.3, "date": 0.3},
	"yesterday":    {"created": 0.3, "since": 0.3, "date": 0.3},
	"last":         {"last": 0.3, "latest": 0.5},
	"document":     {"file": 0.7},
	"binary":       {"asset": 0.6, "file": 0.4},
	"snippet":      {"gist": 0.6},
	"spammer":      {"user": 0.6, "block": 0.4},
	"teammate":     {"user": 0.7, "member": 0.5},
	"employee":     {"user": 0.5, "cardholder": 0.5},
	"account":      {"account": 0.6, "user": 0.4},
	"seller":       {"account": 0.6},
	"merchant":     {"account": 0.6},
	"vendor":       {"account": 0.5},
	"marketplace":  {"connect": 0.5},
	"money":        {"balance": 0.4, "payment": 0.4, "transfer": 0.3},
	"fee":          {"price": 0.4, "item": 0.3, "charge": 0.3},
	"seat":         {"quantity": 0.8},
	"credit":       {"balance": 0.5},
	"discount":     {"coupon": 0.5, "promotion": 0.4},
	"coupon":       {"discount": 0.5},
	"promo":        {"promotion": 0.8, "coupon": 0.5},
	"monthly":      {"subscription": 0.8, "plan": 0.4, "recurring": 1},
	"plan":         {"subscription": 0.5, "price": 0.4},
	"euro":         {"currency": 0.8, "exchange": 0.5},
	"dollar":       {"currency": 0.8, "exchange": 0.5},
	"pound":        {"currency": 0.8, "exchange": 0.5},
	"yen":          {"currency": 0.8, "exchange": 0.5},
	"url":          {"endpoint": 0.5, "link": 0.5},
	"status":       {"get": 0.4},
	"permission":   {"access": 0.6},
	"access":       {"permission": 0.6, "collaborator": 0.4},
	"conversation": {"comment": 0.5},
	"comment":      {"conversation": 0.4},
	"inbox":        {"notification": 0.6},
	"checkout":     {"session": 0.3},
}

// intentWords say what kind of operation the query asks for; the
// ranking favors actions whose HTTP method and path do that kind of
// thing (intent.go). Keys are terms after canonicalization.
var intentWords = map[string]map[intent]float64{
	"create":   {iCreate: 1},
	"delete":   {iDelete: 1},
	"cancel":   {iDelete: 1},
	"update":   {iUpdate: 1},
	"list":     {iList: 1},
	"search":   {iList: 0.7},
	"get":      {iGet: 1},
	"show":     {iGet: 0.7, iList: 0.7},
	"history":  {iList: 0.6},
	"check":    {iGet: 0.5},
	"detail":   {iGet: 0.6},
	"who":      {iList: 0.4},
	"which":    {iList: 0.4},
	"what":     {iGet: 0.3},
	"download": {iGet: 0.6},
}

package stripe

// Behaviour test of the generated monitor over a list that is not
// paginated in the spec: the records are at data, newest first, and new
// means a later created time (Unix seconds).

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/conngen/conngen/generated/internal/testutil"
)

func TestMonitorNewCustomers(t *testing.T) {
	var mu sync.Mutex
	type cust struct {
		id      string
		created int64
	}
	customers := []cust{{"cus_2", 1764496802}, {"cus_1", 1764496801}}
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		var data []string
		for _, c := range customers {
			data = append(data, strings.Replace(stCustomerJSON(c.id, c.id+"@example.com"), `"created": 1680893993`, fmt.Sprintf(`"created": %d`, c.created), 1))
		}
		fmt.Fprintf(w, `{"object":"list","url":"/v1/customers","has_more":false,"data":[%s]}`, strings.Join(data, ","))
	})
	c := stClient(t, srv)
	ctx := context.Background()
	_, cur, err := c.PollNewCustomers(ctx, ListCustomersParams{}, Cursor{})
	if err != nil || cur.Since != "1764496802" {
		t.Fatalf("baseline = %+v, %v; want since 1764496802", cur, err)
	}
	mu.Lock()
	customers = append([]cust{{"cus_4", 1764496900}, {"cus_3", 1764496802}}, customers...)
	mu.Unlock()
	got, cur, err := c.PollNewCustomers(ctx, ListCustomersParams{}, cur)
	var ids []string
	for _, cu := range got {
		ids = append(ids, cu.ID)
	}
	// cus_3 shares cus_2's second: new, since its id is not in the cursor.
	if err != nil || strings.Join(ids, " ") != "cus_3 cus_4" || cur.Since != "1764496900" {
		t.Fatalf("second poll = %v, %+v, %v; want cus_3 cus_4", ids, cur, err)
	}
	srv2 := testutil.NewServer(t, testutil.Status(200, `{"object":"list","data":{"not":"a list"}}`))
	if _, _, err := stClient(t, srv2).PollNewCustomers(ctx, ListCustomersParams{}, cur); err == nil {
		t.Error("a response without a list at data polled without error")
	}
}

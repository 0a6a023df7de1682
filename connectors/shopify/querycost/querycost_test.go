package querycost_test

import (
	"testing"

	"hub/connectors/shopify/querycost"
)

func TestRequested(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"scalars are free", `{ shop { id name currencyCode } }`, nil, 1},
		{"object in object", `query Q { shop { id billingAddress { city } } }`, nil, 2},
		{"connection", `{ products(first: 10) { edges { node { id title } } } }`, nil, 2 + 10},
		{"nodes shorthand and pageInfo", `{ products(first: 10) { nodes { id } pageInfo { hasNextPage } } }`, nil, 2 + 10},
		{"nested connections multiply", `{ products(first: 10) { edges { node { id variants(first: 5) { edges { node { id } } } } } } }`,
			nil, 2 + 10*(1+2+5*1)},
		{"list paged with first", `{ order(id: "x") { fulfillments(first: 3) { status trackingInfo(first: 2) { number } } } }`,
			nil, 1 + 2 + 3*(1+2+2*1)},
		{"first from a variable", `query Q($n: Int!) { orders(first: $n) { nodes { id } } }`, map[string]any{"n": 7.0}, 2 + 7},
		{"first from a Go int", `query Q($n: Int!) { orders(first: $n) { nodes { id } } }`, map[string]any{"n": 3}, 2 + 3},
		{"variable default", `query Q($n: Int = 4) { orders(first: $n) { nodes { id } } }`, nil, 2 + 4},
		{"last counts like first", `{ orders(last: 5) { nodes { id } } }`, nil, 2 + 5},
		{"fragments", `query Q { order(id: "x") { ...F } } fragment F on Order { id customer { id } }`, nil, 2},
		{"typename is free", `{ shop { __typename } }`, nil, 1},
		{"mutation", `mutation M($t: WebhookSubscriptionTopic!) { webhookSubscriptionCreate(topic: $t) { webhookSubscription { id } userErrors { field } } }`,
			nil, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := querycost.Requested(tc.query, tc.vars)
			if err != nil {
				t.Fatal(err)
			}
			if got.Requested != tc.want {
				t.Errorf("requested %d, want %d", got.Requested, tc.want)
			}
		})
	}
}

func TestRequestedNamesTheOperation(t *testing.T) {
	c, err := querycost.Requested(`mutation HubSubscribe { a: webhookSubscriptionCreate { userErrors { field } } }`, nil)
	if err != nil || c.Operation != "HubSubscribe" || !c.Mutation || c.Requested != 10 {
		t.Errorf("%+v, %v", c, err)
	}
}

func TestRequestedErrors(t *testing.T) {
	for _, q := range []string{
		`{ shop { id `,              // parse error
		`fragment F on Shop { id }`, // no operation
		`query Q($n: Int!) { orders(first: $n) { nodes { id } } }`, // no value for $n
		`{ order(id: "x") { ...Missing } }`,                        // unknown fragment
		`{ x { ...A } } fragment A on X { y { ...A } }`,            // a cycle
	} {
		if c, err := querycost.Requested(q, nil); err == nil {
			t.Errorf("%s: %+v, want an error", q, c)
		}
	}
}

// The client computes each call's requested cost before sending it.
func BenchmarkRequested(b *testing.B) {
	const doc = `query HubOrder($id: ID!) { order(id: $id) { ...HubOrder } }
fragment HubOrder on Order {
  id name email phone createdAt updatedAt cancelledAt cancelReason displayFinancialStatus displayFulfillmentStatus
  totalPriceSet { shopMoney { amount currencyCode } }
  lineItems(first: 25) { nodes { title sku quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
  shippingAddress { city country }
  fulfillments(first: 5) { status trackingInfo(first: 3) { company number url } }
  refunds(first: 10) { id createdAt note totalRefundedSet { shopMoney { amount currencyCode } } }
  risk { recommendation assessments { riskLevel } }
  customer { id firstName lastName defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber } }
}`
	vars := map[string]any{"id": "gid://shopify/Order/1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := querycost.Requested(doc, vars); err != nil {
			b.Fatal(err)
		}
	}
}

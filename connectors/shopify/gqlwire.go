package shopify

import "strings"

// The wire shapes of the GraphQL answers, read with flex so that a field
// Shopify turns from a string into a number (or null) cannot fail a call.

type gqlMoney struct {
	ShopMoney struct {
		Amount       flex `json:"amount"`
		CurrencyCode flex `json:"currencyCode"`
	} `json:"shopMoney"`
}

type gqlOrder struct {
	ID                       flex     `json:"id"`
	Name                     flex     `json:"name"`
	Email                    flex     `json:"email"`
	Phone                    flex     `json:"phone"`
	CreatedAt                flex     `json:"createdAt"`
	UpdatedAt                flex     `json:"updatedAt"`
	CancelledAt              flex     `json:"cancelledAt"`
	CancelReason             flex     `json:"cancelReason"`
	DisplayFinancialStatus   flex     `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus flex     `json:"displayFulfillmentStatus"`
	TotalPriceSet            gqlMoney `json:"totalPriceSet"`
	LineItems                struct {
		Nodes []struct {
			Title                flex     `json:"title"`
			SKU                  flex     `json:"sku"`
			Quantity             flex     `json:"quantity"`
			OriginalUnitPriceSet gqlMoney `json:"originalUnitPriceSet"`
		} `json:"nodes"`
	} `json:"lineItems"`
	ShippingAddress *struct {
		City    flex `json:"city"`
		Country flex `json:"country"`
	} `json:"shippingAddress"`
	Fulfillments []struct {
		Status       flex `json:"status"`
		TrackingInfo []struct {
			Company flex `json:"company"`
			Number  flex `json:"number"`
			URL     flex `json:"url"`
		} `json:"trackingInfo"`
	} `json:"fulfillments"`
	Refunds []struct {
		ID               flex     `json:"id"`
		CreatedAt        flex     `json:"createdAt"`
		Note             flex     `json:"note"`
		TotalRefundedSet gqlMoney `json:"totalRefundedSet"`
	} `json:"refunds"`
	Risk *struct {
		Recommendation flex `json:"recommendation"`
		Assessments    []struct {
			RiskLevel flex `json:"riskLevel"`
		} `json:"assessments"`
	} `json:"risk"`
	Customer *gqlCustomerRef `json:"customer"`
}

type gqlCustomerRef struct {
	ID                  flex `json:"id"`
	FirstName           flex `json:"firstName"`
	LastName            flex `json:"lastName"`
	DefaultEmailAddress *struct {
		EmailAddress flex `json:"emailAddress"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber flex `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
}

func (c *gqlCustomerRef) email() string {
	if c.DefaultEmailAddress == nil {
		return ""
	}
	return string(c.DefaultEmailAddress.EmailAddress)
}

func (c *gqlCustomerRef) phone() string {
	if c.DefaultPhoneNumber == nil {
		return ""
	}
	return string(c.DefaultPhoneNumber.PhoneNumber)
}

type gqlCustomer struct {
	gqlCustomerRef
	Note           flex     `json:"note"`
	Tags           []string `json:"tags"`
	CreatedAt      flex     `json:"createdAt"`
	UpdatedAt      flex     `json:"updatedAt"`
	NumberOfOrders flex     `json:"numberOfOrders"`
	AmountSpent    *struct {
		Amount       flex `json:"amount"`
		CurrencyCode flex `json:"currencyCode"`
	} `json:"amountSpent"`
	Orders struct {
		Nodes []struct {
			CreatedAt flex `json:"createdAt"`
		} `json:"nodes"`
	} `json:"orders"`
}

func (g gqlOrder) order(shop string) Order {
	id := NumericID(string(g.ID))
	o := Order{
		ID: id, Name: string(g.Name), Number: orderNumber(string(g.Name)),
		Email: string(g.Email), Phone: string(g.Phone),
		CreatedAt: g.CreatedAt.time(), UpdatedAt: g.UpdatedAt.time(),
		FinancialStatus:   financialStatus(string(g.DisplayFinancialStatus)),
		FulfillmentStatus: fulfillmentStatus(string(g.DisplayFulfillmentStatus)),
		Total:             string(g.TotalPriceSet.ShopMoney.Amount),
		Currency:          string(g.TotalPriceSet.ShopMoney.CurrencyCode),
		CancelledAt:       g.CancelledAt.timePtr(),
		CancelReason:      strings.ToLower(string(g.CancelReason)),
		AdminURL:          AdminOrderURL(shop, id),
		LineItems:         []LineItem{},
	}
	for _, li := range g.LineItems.Nodes {
		o.LineItems = append(o.LineItems, LineItem{Title: string(li.Title), SKU: string(li.SKU),
			Quantity: li.Quantity.int(), Price: string(li.OriginalUnitPriceSet.ShopMoney.Amount)})
	}
	if a := g.ShippingAddress; a != nil {
		o.ShippingCity, o.ShippingCountry = string(a.City), string(a.Country)
	}
	for _, f := range g.Fulfillments {
		if !shipped(string(f.Status)) {
			continue
		}
		for _, t := range f.TrackingInfo {
			o.Tracking = append(o.Tracking, Tracking{Company: string(t.Company), Number: string(t.Number), URL: string(t.URL)})
		}
	}
	for _, r := range g.Refunds {
		if toCents(string(r.TotalRefundedSet.ShopMoney.Amount)) == 0 {
			continue // moved no money: see Refund.Zero
		}
		o.Refunds = append(o.Refunds, Refund{ID: NumericID(string(r.ID)), OrderID: id,
			Amount: string(r.TotalRefundedSet.ShopMoney.Amount), Currency: string(r.TotalRefundedSet.ShopMoney.CurrencyCode),
			Reason: string(r.Note), CreatedAt: r.CreatedAt.time()})
	}
	if r := g.Risk; r != nil {
		// The highest assessed level, else the recommendation.
		for _, a := range r.Assessments {
			if lv := fraudRisk(string(a.RiskLevel)); riskRank(lv) > riskRank(o.FraudRisk) {
				o.FraudRisk = lv
			}
		}
		if o.FraudRisk == "" {
			o.FraudRisk = fraudRisk(string(r.Recommendation))
		}
	}
	if c := g.Customer; c != nil && c.ID != "" {
		o.Customer = &CustomerRef{ID: NumericID(string(c.ID)), Email: c.email(), Phone: c.phone(),
			FirstName: string(c.FirstName), LastName: string(c.LastName)}
		if o.Email == "" {
			o.Email = o.Customer.Email
		}
	}
	return o
}

func riskRank(level string) int {
	return map[string]int{"low": 1, "medium": 2, "high": 3}[level]
}

func (g gqlCustomer) customer(shop string) Customer {
	id := NumericID(string(g.ID))
	c := Customer{
		ID: id, FirstName: string(g.FirstName), LastName: string(g.LastName),
		Email: g.email(), Phone: g.phone(), OrdersCount: g.NumberOfOrders.intPtr(),
		Tags: g.Tags, Note: string(g.Note), CreatedAt: g.CreatedAt.time(), UpdatedAt: g.UpdatedAt.time(),
		AdminURL: AdminCustomerURL(shop, id),
	}
	if g.AmountSpent != nil {
		c.TotalSpent, c.Currency = string(g.AmountSpent.Amount), string(g.AmountSpent.CurrencyCode)
	}
	if len(g.Orders.Nodes) > 0 {
		c.FirstOrderAt = g.Orders.Nodes[0].CreatedAt.timePtr()
	}
	return c
}

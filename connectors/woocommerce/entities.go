package woocommerce

import (
	"encoding/json"
	"html"
)

// WordPress stores and sends names with HTML entities ("Ship Your Idea
// &ndash; Color: Black", "O&#039;Brien"). The names people read are decoded
// as they are read, so every use (tickets, Slack, notes) sees the text.

// UnmarshalJSON reads a Order with the entities in its names decoded.
func (o *Order) UnmarshalJSON(b []byte) error {
	type plain Order
	if err := json.Unmarshal(b, (*plain)(o)); err != nil {
		return err
	}
	o.PaymentMethodTitle = html.UnescapeString(o.PaymentMethodTitle)
	return nil
}

// UnmarshalJSON reads a Address with the entities in its names decoded.
func (a *Address) UnmarshalJSON(b []byte) error {
	type plain Address
	if err := json.Unmarshal(b, (*plain)(a)); err != nil {
		return err
	}
	a.FirstName, a.LastName = html.UnescapeString(a.FirstName), html.UnescapeString(a.LastName)
	a.Company, a.City = html.UnescapeString(a.Company), html.UnescapeString(a.City)
	return nil
}

// UnmarshalJSON reads a LineItem with the entities in its names decoded.
func (li *LineItem) UnmarshalJSON(b []byte) error {
	type plain LineItem
	if err := json.Unmarshal(b, (*plain)(li)); err != nil {
		return err
	}
	li.Name = html.UnescapeString(li.Name)
	return nil
}

// UnmarshalJSON reads a ShippingLine with the entities in its names decoded.
func (s *ShippingLine) UnmarshalJSON(b []byte) error {
	type plain ShippingLine
	if err := json.Unmarshal(b, (*plain)(s)); err != nil {
		return err
	}
	s.MethodTitle = html.UnescapeString(s.MethodTitle)
	return nil
}

// UnmarshalJSON reads a Customer with the entities in its names decoded.
func (c *Customer) UnmarshalJSON(b []byte) error {
	type plain Customer
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	c.FirstName, c.LastName = html.UnescapeString(c.FirstName), html.UnescapeString(c.LastName)
	return nil
}

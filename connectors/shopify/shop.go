package shopify

import (
	"regexp"
	"strings"
)

// shopPattern is the only form of shop domain the hub accepts. go-shopify
// builds its base URL as "https://" + name after checking only that the name
// contains "myshopify.com", so an unchecked header such as
// "evil.example/myshopify.com" would send a shop's token elsewhere.
var shopPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)

// ValidShop reports whether s is exactly a shop's myshopify.com domain, as
// Shopify sends it in X-Shopify-Shop-Domain (lower case, no scheme, no path).
func ValidShop(s string) bool { return len(s) <= 255 && shopPattern.MatchString(s) }

// NormaliseShop reads a shop as a person types it ("Acme", "acme",
// "https://acme.myshopify.com/") and returns its domain, or false when it
// cannot be one.
func NormaliseShop(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimSuffix(s, "/")
	if !strings.Contains(s, ".") {
		s += ".myshopify.com"
	}
	return s, ValidShop(s)
}

// Handle is the shop's name without the domain: "acme" for
// acme.myshopify.com. The Shopify admin addresses stores by it.
func Handle(shop string) string { return strings.TrimSuffix(shop, ".myshopify.com") }

// AdminOrderURL links to an order in the Shopify admin.
func AdminOrderURL(shop, orderID string) string {
	return "https://admin.shopify.com/store/" + Handle(shop) + "/orders/" + orderID
}

// AdminCustomerURL links to a customer in the Shopify admin.
func AdminCustomerURL(shop, customerID string) string {
	return "https://admin.shopify.com/store/" + Handle(shop) + "/customers/" + customerID
}

// NumericID returns the number at the end of a GraphQL id
// ("gid://shopify/Order/450789469" → "450789469"); other ids pass through.
func NumericID(gid string) string {
	if i := strings.LastIndexByte(gid, '/'); i >= 0 && strings.HasPrefix(gid, "gid://") {
		return gid[i+1:]
	}
	return gid
}

// OrderGID is the GraphQL id of an order.
func OrderGID(id string) string { return "gid://shopify/Order/" + NumericID(id) }

// CustomerGID is the GraphQL id of a customer.
func CustomerGID(id string) string { return "gid://shopify/Customer/" + NumericID(id) }

package enrich

import (
	"reflect"
	"testing"
)

func TestOrderNumbers(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Where is my order #1001?", []string{"1001"}},
		{"where is order 1001", []string{"1001"}},
		{"Order no. 1002 and order number: 1003", []string{"1002", "1003"}},
		{"ORDER NR 1004", []string{"1004"}},
		{"order #1005, also #1006 and #1005 again", []string{"1005", "1006"}},
		{"my order id: 99999999", []string{"99999999"}},
		{"about ticket T-1042", nil},
		{"call me on 555 1234", nil},
		{"I ordered 3 items", nil},
		{"order 12", nil}, // too short to be an order number
		{"abc#1001", nil}, // part of a word or URL fragment
		{"(#1007)", []string{"1007"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := OrderNumbers(tt.text); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("OrderNumbers(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
	if got := OrderNumbers("order 1001", "see #1001 and #1002"); !reflect.DeepEqual(got, []string{"1001", "1002"}) {
		t.Errorf("across texts: %v", got)
	}
}

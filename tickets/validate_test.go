package tickets

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidateNewTicket(t *testing.T) {
	ok := func() NewTicket {
		return NewTicket{Subject: "Broken zipper", Source: SourceAPI}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*NewTicket)
		field string // "" when valid
		check func(*testing.T, NewTicket)
	}{
		{"minimal", func(*NewTicket) {}, "", func(t *testing.T, n NewTicket) {
			if n.Priority != PriorityMedium || n.Tags == nil {
				t.Errorf("defaults: priority %q tags %v", n.Priority, n.Tags)
			}
		}},
		{"trims and collapses the subject", func(n *NewTicket) { n.Subject = "  Broken \n zipper  " }, "", func(t *testing.T, n NewTicket) {
			if n.Subject != "Broken zipper" {
				t.Errorf("subject %q", n.Subject)
			}
		}},
		{"subject from description", func(n *NewTicket) {
			n.Subject = " "
			n.Description = "\n\n  " + strings.Repeat("é", 130) + "\nsecond line"
		}, "", func(t *testing.T, n NewTicket) {
			if n.Subject != strings.Repeat("é", 120) {
				t.Errorf("subject %q", n.Subject)
			}
		}},
		{"no subject", func(n *NewTicket) { n.Subject = "" }, "subject", nil},
		{"subject at the limit", func(n *NewTicket) { n.Subject = strings.Repeat("ü", 250) }, "", nil},
		{"subject too long is cut", func(n *NewTicket) { n.Subject = strings.Repeat("a", 100_000) }, "", func(t *testing.T, n NewTicket) {
			if r := []rune(n.Subject); len(r) != MaxSubjectRunes || r[len(r)-1] != '…' {
				t.Errorf("subject is %d runes ending %q, want %d ending in …", len(r), r[len(r)-1], MaxSubjectRunes)
			}
		}},
		{"description at the limit", func(n *NewTicket) { n.Description = strings.Repeat("a", 64<<10) }, "", nil},
		{"description too long", func(n *NewTicket) { n.Description = strings.Repeat("a", 64<<10+1) }, "description", nil},
		{"priority", func(n *NewTicket) { n.Priority = " URGENT" }, "", func(t *testing.T, n NewTicket) {
			if n.Priority != PriorityUrgent {
				t.Errorf("priority %q", n.Priority)
			}
		}},
		{"bad priority", func(n *NewTicket) { n.Priority = "asap" }, "priority", nil},
		{"tags", func(n *NewTicket) { n.Tags = []string{" VIP", "returns", "vip", ""} }, "", func(t *testing.T, n NewTicket) {
			if !reflect.DeepEqual(n.Tags, []string{"returns", "vip"}) {
				t.Errorf("tags %q", n.Tags)
			}
		}},
		{"bad tag", func(n *NewTicket) { n.Tags = []string{"needs review"} }, "tags", nil},
		{"customer", func(n *NewTicket) {
			n.Customer = CustomerInput{Email: " Jane Doe <Jane@Example.COM> ", Phone: "0049 30 1234567"}
		}, "", func(t *testing.T, n NewTicket) {
			if n.Customer.Email != "jane@example.com" || n.Customer.Name != "Jane Doe" || n.Customer.Phone != "+49301234567" {
				t.Errorf("customer %+v", n.Customer)
			}
		}},
		{"bad email", func(n *NewTicket) { n.Customer.Email = "jane at example" }, "customer.email", nil},
		{"no source", func(n *NewTicket) { n.Source = " " }, "source", nil},
		{"source lower-cased", func(n *NewTicket) { n.Source = "Shopify" }, "", func(t *testing.T, n NewTicket) {
			if n.Source != SourceShopify {
				t.Errorf("source %q", n.Source)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := ok()
			tc.edit(&n)
			err := ValidateNewTicket(&n)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tc.check != nil {
					tc.check(t, n)
				}
				return
			}
			e, isErr := err.(*Error)
			if !isErr || e.Code != EINVALID || e.Field != tc.field {
				t.Fatalf("error %v, want EINVALID on %q", err, tc.field)
			}
		})
	}
}

func TestNormaliseTags(t *testing.T) {
	many := make([]string, 21)
	for i := range many {
		many[i] = "t" + strings.Repeat("x", i)
	}
	for _, tc := range []struct {
		name string
		in   []string
		want []string // nil when invalid
	}{
		{"nil", nil, []string{}},
		{"sorted and deduped", []string{"b", " A ", "a", "c-d", "e_f", "  "}, []string{"a", "b", "c-d", "e_f"}},
		{"40 characters", []string{strings.Repeat("a", 40)}, []string{strings.Repeat("a", 40)}},
		{"41 characters", []string{strings.Repeat("a", 41)}, nil},
		{"space", []string{"two words"}, nil},
		{"punctuation", []string{"vip!"}, nil},
		{"non-ascii", []string{"größe"}, nil},
		{"20 after dedupe", append(many[:20:20], "TX"), many[:20]},
		{"21 tags", many, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormaliseTags(tc.in)
			if tc.want == nil {
				if ErrorCode(err) != EINVALID || err.(*Error).Field != "tags" {
					t.Errorf("NormaliseTags(%q) = %q, %v; want EINVALID on tags", tc.in, got, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("NormaliseTags(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

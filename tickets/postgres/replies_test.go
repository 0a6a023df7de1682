package postgres_test

import (
	"testing"

	"hub/tickets"
)

func TestSavedReplies(t *testing.T) {
	b := setup(t)
	r, err := b.store.CreateReply(b.ctx, "ann@example.com", " Where-Is-My-Order ", "Hi {{customer_first_name}}, your order {{order_number}} ships today.")
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "where-is-my-order" || r.UpdatedBy != "ann@example.com" || !r.CreatedAt.Equal(start) {
		t.Errorf("created %+v", r)
	}
	_, err = b.store.CreateReply(b.ctx, "bob", "where-is-my-order", "Again")
	wantCode(t, err, tickets.ECONFLICT)
	_, err = b.store.CreateReply(b.ctx, "bob", "typo", "Hi {{custmer_name}}")
	wantCode(t, err, tickets.EINVALID)
	_, err = b.store.CreateReply(b.ctx, "bob", "bad name!", "Hi")
	wantCode(t, err, tickets.EINVALID)
	if _, err := b.store.CreateReply(b.ctx, "bob", "thanks", "Thank you!"); err != nil {
		t.Fatal(err)
	}

	list, err := b.store.ListReplies(b.ctx)
	if err != nil || len(list) != 2 || list[0].Name != "thanks" || list[1].Name != "where-is-my-order" {
		t.Fatalf("list %+v %v", list, err)
	}

	b.clock.Advance(1)
	newName, newBody := "shipping", "Your parcel: {{tracking_link}}"
	r, err = b.store.EditReply(b.ctx, "bob", "where-is-my-order", tickets.ReplyEdit{Name: &newName, Body: &newBody})
	if err != nil || r.Name != "shipping" || r.Body != newBody || r.UpdatedBy != "bob" || !r.CreatedAt.Equal(start) {
		t.Fatalf("edited %+v %v", r, err)
	}
	taken := "thanks"
	_, err = b.store.EditReply(b.ctx, "bob", "shipping", tickets.ReplyEdit{Name: &taken})
	wantCode(t, err, tickets.ECONFLICT)
	_, err = b.store.EditReply(b.ctx, "bob", "nope", tickets.ReplyEdit{Body: &newBody})
	wantCode(t, err, tickets.ENOTFOUND)

	if got, err := b.store.GetReply(b.ctx, "SHIPPING"); err != nil || got.Body != newBody {
		t.Errorf("get %+v %v", got, err)
	}
	if err := b.store.DeleteReply(b.ctx, "shipping"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, b.store.DeleteReply(b.ctx, "shipping"), tickets.ENOTFOUND)
	_, err = b.store.GetReply(b.ctx, "shipping")
	wantCode(t, err, tickets.ENOTFOUND)
}

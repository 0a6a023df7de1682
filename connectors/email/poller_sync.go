package email

import (
	"context"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// scan is the plan for one sync.
type scan struct {
	cur      Cursor
	criteria *imap.SearchCriteria
	// saveEach: the cursor is saved after every message. The first run
	// saves only at its end: its cursor would otherwise claim that read
	// mail below it was seen to, and a restart would import that mail; the
	// \Seen flags (or moves) it sets as it goes keep a restart from
	// committing anything twice.
	saveEach bool
	floor    uint32 // the cursor's LastUID when the sync ends, at least
}

// sync imports everything new in the mailbox and returns how many messages
// it committed. It stops at the first commit that fails, so the cursor
// never passes a message that was not recorded.
func (p *Poller) sync(ctx context.Context, c *imapclient.Client) (int, error) {
	sel, err := c.Select(p.cfg.IMAP.Mailbox, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("email: imap select %s: %w", p.cfg.IMAP.Mailbox, err)
	}
	cur, found, err := p.cfg.Cursors.LoadCursor(ctx, p.key)
	if err != nil {
		return 0, fmt.Errorf("email: load cursor: %w", err)
	}
	plan := p.plan(sel, cur, found)
	data, err := c.UIDSearch(plan.criteria, nil).Wait()
	if err != nil {
		return 0, fmt.Errorf("email: imap search: %w", err)
	}
	var todo []imap.UID
	for _, u := range uids(data) {
		if uint32(u) > plan.cur.LastUID { // "n:*" always matches the last message
			todo = append(todo, u)
		}
	}
	sizes, err := p.sizes(c, todo)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, uid := range todo {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		done, err := p.importOne(ctx, c, sel.UIDValidity, uid, sizes[uid])
		if err != nil {
			return n, err
		}
		if done {
			n++
		}
		plan.cur.LastUID = uint32(uid)
		if plan.saveEach {
			if err := p.cfg.Cursors.SaveCursor(ctx, p.key, plan.cur); err != nil {
				return n, fmt.Errorf("email: save cursor: %w", err)
			}
		}
		if done {
			p.mark(c, uid)
		}
	}
	plan.cur.LastUID = max(plan.cur.LastUID, plan.floor)
	if !found || plan.cur != cur {
		if err := p.cfg.Cursors.SaveCursor(ctx, p.key, plan.cur); err != nil {
			return n, fmt.Errorf("email: save cursor: %w", err)
		}
	}
	return n, nil
}

func (p *Poller) plan(sel *imap.SelectData, cur Cursor, found bool) scan {
	switch {
	case !found:
		// Everything there now is covered once the unread part is in.
		var floor uint32
		if sel.UIDNext > 0 {
			floor = uint32(sel.UIDNext) - 1
		}
		return scan{cur: Cursor{UIDValidity: sel.UIDValidity},
			criteria: &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, floor: floor}
	case cur.UIDValidity != sel.UIDValidity:
		p.cfg.Logger.Warn("email: imap UIDVALIDITY changed; importing the mailbox again",
			"mailbox", p.key, "was", cur.UIDValidity, "now", sel.UIDValidity)
		return scan{cur: Cursor{UIDValidity: sel.UIDValidity}, criteria: &imap.SearchCriteria{}, saveEach: true}
	default:
		return scan{cur: cur, saveEach: true, criteria: &imap.SearchCriteria{
			UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(cur.LastUID + 1), Stop: 0}}}}}
	}
}

// sizes fetches RFC822.SIZE for the messages to import, so an oversized
// one is never downloaded.
func (p *Poller) sizes(c *imapclient.Client, todo []imap.UID) (map[imap.UID]int64, error) {
	out := make(map[imap.UID]int64, len(todo))
	if len(todo) == 0 {
		return out, nil
	}
	msgs, err := c.Fetch(imap.UIDSetNum(todo...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("email: imap fetch sizes: %w", err)
	}
	for _, m := range msgs {
		out[m.UID] = m.RFC822Size
	}
	return out, nil
}

// importOne fetches and commits one message. done is false when it was
// passed over (too large, gone, or rejected by the Committer): it stays
// unread for people and the cursor moves past it.
func (p *Poller) importOne(ctx context.Context, c *imapclient.Client, validity uint32, uid imap.UID, size int64) (done bool, err error) {
	log := p.cfg.Logger.With("mailbox", p.key, "uid", uint32(uid))
	if size > p.cfg.MaxMessageBytes {
		log.Warn("email: imap message too large; left for people", "bytes", size)
		return false, nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return false, fmt.Errorf("email: imap fetch uid %d: %w", uid, err)
	}
	if len(msgs) == 0 {
		log.Info("email: imap message gone before fetch")
		return false, nil
	}
	raw := msgs[0].FindBodySection(section)
	env := Envelope{Via: "imap", ReceivedAt: p.cfg.Now(), Mailbox: p.key, UIDValidity: validity, UID: uint32(uid)}
	if err := p.cfg.Committer.Commit(ctx, env, raw); err != nil {
		if rej, ok := isRejection(err); ok {
			log.Warn("email: imap message rejected; left for people", "reason", rej.Reason)
			return false, nil
		}
		return false, fmt.Errorf("email: commit uid %d: %w", uid, err)
	}
	return true, nil
}

// mark flags a committed message \Seen or moves it. A failure is logged,
// not returned: the message is recorded and the cursor is past it.
func (p *Poller) mark(c *imapclient.Client, uid imap.UID) {
	set := imap.UIDSetNum(uid)
	var err error
	if to := p.cfg.IMAP.MoveTo; to != "" {
		_, err = c.Move(set, to).Wait()
	} else {
		err = c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
	}
	if err != nil {
		p.cfg.Logger.Warn("email: imap mark processed", "mailbox", p.key, "uid", uint32(uid), "err", err)
	}
}

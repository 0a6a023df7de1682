package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"hub/tickets"
)

// insertSurvey stores the survey a reply on t carries.
func (s *Store) insertSurvey(ctx context.Context, tx pgx.Tx, t tickets.Ticket, inv tickets.SurveyInvite) error {
	_, err := tx.Exec(ctx, `
		insert into surveys (token_hash, ticket_id, created_at, expires_at) values ($1, $2, $3, $4)`,
		inv.TokenHash, t.ID, s.now(), inv.ExpiresAt)
	return dbError("create survey", err)
}

// errNoSurvey is the answer for an unknown token: the same whether it never
// existed or its ticket was erased, so a token cannot be probed.
var errNoSurvey = tickets.Errorf(tickets.ENOTFOUND, "this survey link is not valid")

// Survey returns the survey a link's token opens, as its page shows it.
func (s *Store) Survey(ctx context.Context, token string) (tickets.Survey, error) {
	return s.survey(ctx, s.pool, token, false)
}

func (s *Store) survey(ctx context.Context, q querier, token string, lock bool) (tickets.Survey, error) {
	var (
		sv       tickets.Survey
		number   int64
		answered *time.Time
		score    *int
		comment  string
	)
	sql := `select t.id, t.number, t.subject, s.expires_at, s.answered_at, s.score, s.comment
		from surveys s join tickets t on t.id = s.ticket_id where s.token_hash = $1`
	if lock {
		sql += ` for update of s`
	}
	err := q.QueryRow(ctx, sql, tickets.SurveyTokenHash(token)).Scan(
		&sv.TicketID, &number, &sv.Subject, &sv.ExpiresAt, &answered, &score, &comment)
	if isNoRows(err) {
		return sv, errNoSurvey
	}
	if err != nil {
		return sv, dbError("load survey", err)
	}
	sv.TicketRef = tickets.FormatNumber(number)
	switch {
	case answered != nil:
		sv.State = tickets.SurveyAnswered
		sv.Rating = &tickets.Rating{Score: derefInt(score), Comment: comment, At: *answered}
	case !s.now().Before(sv.ExpiresAt):
		sv.State = tickets.SurveyExpired
	default:
		sv.State = tickets.SurveyOpen
	}
	return sv, nil
}

// RateSurvey records the answer to the survey token opens, once: an answered
// or expired survey is ECONFLICT. The rating lands on the ticket's audit
// trail as ticket.rated, which updates its card and reaches Zapier.
func (s *Store) RateSurvey(ctx context.Context, token string, r tickets.Rating) (tickets.Survey, error) {
	r, err := tickets.ParseRating(r.Score, r.Comment)
	if err != nil {
		return tickets.Survey{}, err
	}
	var sv tickets.Survey
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if sv, err = s.survey(ctx, tx, token, true); err != nil {
			return err
		}
		switch sv.State {
		case tickets.SurveyAnswered:
			return tickets.Errorf(tickets.ECONFLICT, "this survey was answered already; thank you")
		case tickets.SurveyExpired:
			return tickets.Errorf(tickets.ECONFLICT, "this survey link has expired")
		}
		r.At = s.now()
		if _, err := tx.Exec(ctx, `update surveys set answered_at = $2, score = $3, comment = $4 where token_hash = $1`,
			tickets.SurveyTokenHash(token), r.At, r.Score, r.Comment); err != nil {
			return dbError("rate survey", err)
		}
		t, err := s.loadTicket(ctx, tx, sv.TicketID, true)
		if err != nil {
			return err
		}
		customer := tickets.Actor{Kind: tickets.ActorCustomer, ID: t.Customer.Email, Name: t.Customer.Name}
		_, err = s.writeEvent(ctx, tx, t, tickets.EventRated, customer, nil, map[string]any{
			"rating": r.Score, "comment": r.Comment,
		})
		sv.State, sv.Rating = tickets.SurveyAnswered, &r
		return err
	})
	return sv, err
}

// loadRatings sets each ticket's latest survey answer.
func (s *Store) loadRatings(ctx context.Context, q querier, ids []string, byID map[string]*tickets.Ticket) error {
	rows, err := q.Query(ctx, `
		select distinct on (ticket_id) ticket_id, score, comment, answered_at from surveys
		where ticket_id = any($1::uuid[]) and answered_at is not null
		order by ticket_id, answered_at desc`, ids)
	if err != nil {
		return dbError("load ratings", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r tickets.Rating
		if err := rows.Scan(&id, &r.Score, &r.Comment, &r.At); err != nil {
			return dbError("load ratings", err)
		}
		byID[id].CSAT = &r
	}
	return dbError("load ratings", rows.Err())
}

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

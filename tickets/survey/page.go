package survey

import (
	"embed"
	"html/template"
	"io"

	"hub/tickets"
)

//go:embed page.html
var files embed.FS

var page = template.Must(template.ParseFS(files, "page.html"))

// Page is what the survey page shows.
type Page struct {
	// State is open (the form), answered (thanks), expired, or "" for a
	// link that is not valid.
	State   tickets.SurveyState
	Ref     string // the ticket, e.g. T-1042
	Subject string
	Rating  int    // chosen: kept when the form comes back with a problem
	Comment string // as entered
	Problem string // what to correct, when the form comes back
	// Thanks is set right after the customer answered.
	Thanks bool
}

// Scores are the choices, worst first, with their words.
var Scores = []struct {
	Value int
	Label string
}{
	{1, "Very unhappy"}, {2, "Unhappy"}, {3, "Neutral"}, {4, "Happy"}, {5, "Very happy"},
}

// Render writes the page.
func Render(w io.Writer, p Page) error {
	return page.Execute(w, struct {
		Page
		Scores    any
		MaxLength int
	}{p, Scores, tickets.MaxRatingCommentRunes})
}

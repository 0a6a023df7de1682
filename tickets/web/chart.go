package web

import (
	"fmt"
	"html/template"
	"strings"
)

// bar is one bar of a chart.
type bar struct {
	Label string
	Value float64
	Text  string // the value as shown above the bar
}

// barChart renders bars as an SVG that scales to its container's width
// (viewBox, no fixed width), so it fits a phone as well as a desktop. The
// chart's data is also in its title for screen readers.
func barChart(title string, w float64, bars []bar, max float64) template.HTML {
	const h, top, bottom, gap, side = 220.0, 24.0, 36.0, 6.0, 16.0
	if max <= 0 {
		for _, b := range bars {
			if b.Value > max {
				max = b.Value
			}
		}
	}
	if max <= 0 {
		max = 1
	}
	var sb strings.Builder
	var desc []string
	for _, b := range bars {
		desc = append(desc, b.Label+": "+b.Text)
	}
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" preserveAspectRatio="xMidYMid meet">`,
		w, h, template.HTMLEscapeString(title+". "+strings.Join(desc, "; ")))
	fmt.Fprintf(&sb, `<line x1="0" y1="%.1f" x2="%.0f" y2="%.1f" class="axis"/>`, h-bottom, w, h-bottom)
	n := float64(max1(len(bars)))
	inner := w - 2*side // room for the outer labels' overhang
	bw := inner/n - gap
	every := 1
	if len(bars) > 16 {
		every = (len(bars) + 11) / 12 // at most about a dozen labels
	}
	for i, b := range bars {
		x := side + float64(i)*(inner/n) + gap/2
		bh := (h - top - bottom) * b.Value / max
		y := h - bottom - bh
		fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar"><title>%s: %s</title></rect>`,
			x, y, bw, bh, template.HTMLEscapeString(b.Label), template.HTMLEscapeString(b.Text))
		if len(bars) <= 16 && b.Text != "" {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="value">%s</text>`, x+bw/2, y-6, template.HTMLEscapeString(b.Text))
		}
		if i%every == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%.1f" class="label">%s</text>`, x+bw/2, h-bottom+18, template.HTMLEscapeString(b.Label))
		}
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func max1(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

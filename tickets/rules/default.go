package rules

import (
	_ "embed"
	"fmt"
)

//go:embed default.yaml
var defaultFile []byte

// DefaultFile returns the built-in rules file, a starting point for one's
// own (`hub rules defaults` can print it).
func DefaultFile() []byte { return append([]byte(nil), defaultFile...) }

// Default returns the built-in rules, in force when no rules file is set.
func Default() *RuleSet {
	rs, err := Parse("default.yaml", defaultFile)
	if err != nil {
		// A test parses the same bytes, so this is a build that was never tested.
		panic(fmt.Sprintf("rules: the built-in rules do not load: %v", err))
	}
	return rs
}

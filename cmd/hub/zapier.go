package main

import "context"

// zapierConfig is the Zapier connector's part of the configuration.
type zapierConfig struct{}

func loadZapierConfig(getenv func(string) string) (zapierConfig, error) { return zapierConfig{}, nil }

// wireZapier connects the Zapier connector: routes, decoders, tasks, follow-ups.
func (a *App) wireZapier(ctx context.Context) error { return nil }

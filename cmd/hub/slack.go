package main

import "context"

// slackConfig is the Slack connector's part of the configuration.
type slackConfig struct{}

func loadSlackConfig(getenv func(string) string) (slackConfig, error) { return slackConfig{}, nil }

// wireSlack connects the Slack connector: routes, decoders, tasks, follow-ups.
func (a *App) wireSlack(ctx context.Context) error { return nil }

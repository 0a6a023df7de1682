package slack

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/hibiken/asynq"

	slackapi "hub/connectors/slack"
)

// TypeAlert posts an operator alert (a store that stopped delivering
// webhooks, ...) to the triage channel. With Slack off it does nothing: the
// alert's source has logged it and counted it already.
const TypeAlert = "slack:alert"

type alertPayload struct {
	Text string `json:"text"`
}

// NewAlertTask returns the task that posts text (plain text: it is escaped)
// to the triage channel.
func NewAlertTask(text string) *asynq.Task {
	b, _ := json.Marshal(alertPayload{Text: text})
	return asynq.NewTask(TypeAlert, b)
}

func (s *Service) handleAlert(ctx context.Context, task *asynq.Task) error {
	var p alertPayload
	if err := json.Unmarshal(task.Payload(), &p); err != nil || p.Text == "" {
		return fmt.Errorf("slack: alert: bad payload: %w", asynq.SkipRetry)
	}
	ws, ok, err := s.opt.Settings.Workspace(ctx)
	if err != nil {
		return err
	}
	if !ok || ws.Channel == "" {
		return nil
	}
	_, err = ws.Client.Post(ctx, ws.Channel, "", slackapi.Notice(":warning: "+slackapi.EscapeCut(p.Text, 2000)))
	return err
}

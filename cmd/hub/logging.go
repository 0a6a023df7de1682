package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"hub/cmd/hub/logthrottle"
)

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// commandLogger is the logger of a command. One that serves nothing (migrate,
// apikey, deliveries, connect) logs errors only: what the connectors say at
// start ("Slack is off", a webhook secret missing) is about serving and would
// bury the command's own output.
func commandLogger(w io.Writer, level string, serving bool) *slog.Logger {
	if !serving {
		var l slog.Level
		_ = l.UnmarshalText([]byte(level))
		if l < slog.LevelError {
			level = "error"
		}
	}
	return newLogger(w, level)
}

// asynqLogger adapts slog to asynq.Logger. Its warnings and errors go
// through a Throttle shared by the worker's asynq server and scheduler: with
// Redis down each of asynq's loops logs its failure every second or so, and
// the operator needs the few distinct lines, each with how often it
// repeated, not eighty a minute.
type asynqLogger struct {
	l  *slog.Logger
	th *logthrottle.Throttle // nil: no throttling
}

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.log(slog.LevelWarn, fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.log(slog.LevelError, fmt.Sprint(args...)) }

func (a asynqLogger) log(level slog.Level, msg string) {
	if a.th == nil {
		a.l.Log(context.Background(), level, msg)
		return
	}
	d := a.th.Allow(msg)
	if !d.Log {
		return
	}
	var attrs []any
	if d.Repeated > 0 {
		attrs = append(attrs, "repeated", d.Repeated, "since", "the last time it was logged")
	}
	if d.Suppressed > 0 {
		attrs = append(attrs, "suppressed_other", d.Suppressed)
	}
	a.l.Log(context.Background(), level, msg, attrs...)
}

// Fatal is called by asynq only when it cannot go on.
func (a asynqLogger) Fatal(args ...any) {
	a.l.Error(fmt.Sprint(args...))
	os.Exit(1)
}

// go-redis logs each failed dial of its pool (several a second with Redis
// down) through a process-wide logger. routeRedisLogs sends those lines to
// the logger of the last App opened, throttled like asynq's.
var (
	redisLog     atomic.Pointer[slog.Logger]
	redisLogOnce sync.Once
)

// routeRedisLogs installs the go-redis logger; main calls it before anything
// talks to Redis (go-redis reads its logger unsynchronised).
func routeRedisLogs() {
	redisLogOnce.Do(func() {
		redis.SetLogger(redisLogger{th: &logthrottle.Throttle{}})
	})
}

type redisLogger struct{ th *logthrottle.Throttle }

func (r redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l := redisLog.Load()
	if l == nil {
		l = slog.Default()
	}
	asynqLogger{l, r.th}.log(slog.LevelWarn, strings.TrimPrefix(fmt.Sprintf(format, v...), "redis: "))
}

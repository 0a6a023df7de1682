package main

import (
	"strings"
	"testing"
	"time"
)

func envOf(kv map[string]string) func(string) string {
	return func(k string) string { return kv[k] }
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // substring; "" means valid
		check   func(t *testing.T, c Config)
	}{
		{"defaults with nothing set", nil, "", func(t *testing.T, c Config) {
			if c.Addr != ":8080" || c.DatabaseURL != defaultDatabaseURL || c.RedisURL != defaultRedisURL || c.Queue != "default" {
				t.Errorf("defaults: %+v", c)
			}
			if c.Policy.Calendar.Location == nil || c.Policy.Calendar.Open != 9*time.Hour {
				t.Errorf("default calendar: %+v", c.Policy.Calendar)
			}
		}},
		{"business hours", map[string]string{"HUB_TIMEZONE": "Europe/Berlin", "HUB_BUSINESS_DAYS": "mon-sat", "HUB_BUSINESS_HOURS": "08:00-18:00"}, "", func(t *testing.T, c Config) {
			cal := c.Policy.Calendar
			if cal.Location.String() != "Europe/Berlin" || !cal.Weekdays[time.Saturday] || cal.Close != 18*time.Hour {
				t.Errorf("calendar: %+v", cal)
			}
		}},
		{"bad database url", map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL", nil},
		{"bad redis url", map[string]string{"REDIS_URL": "http://localhost"}, "REDIS_URL", nil},
		{"short api key", map[string]string{"HUB_API_KEY": "secret"}, "HUB_API_KEY", nil},
		{"bad public url", map[string]string{"HUB_PUBLIC_URL": "hub.example.com"}, "HUB_PUBLIC_URL", nil},
		{"bad time zone", map[string]string{"HUB_TIMEZONE": "Mars/Olympus"}, "HUB_TIMEZONE", nil},
		{"bad hours", map[string]string{"HUB_BUSINESS_HOURS": "17:00-09:00"}, "HUB_BUSINESS_HOURS", nil},
		{"bad concurrency", map[string]string{"HUB_WORKER_CONCURRENCY": "lots"}, "HUB_WORKER_CONCURRENCY", nil},
		{"bad sweep", map[string]string{"HUB_SWEEP_AFTER": "-1s"}, "HUB_SWEEP_AFTER", nil},
		{"bad log level", map[string]string{"HUB_LOG_LEVEL": "loud"}, "HUB_LOG_LEVEL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := LoadConfig(envOf(tt.env))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if tt.check != nil {
					tt.check(t, c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one naming %s", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("config error spans lines: %q", err)
			}
		})
	}
}

func TestConfigErrorsNeverShowSecrets(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL": "mysql://admin:hunter2-db-password@db/x",
		"HUB_API_KEY":  "tooshort",
	}
	_, err := LoadConfig(envOf(env))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, secret := range []string{"hunter2-db-password", "tooshort"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q shows a secret", err)
		}
	}
	env = map[string]string{"HUB_API_KEY": "tooshort"}
	if _, err := LoadConfig(envOf(env)); err == nil || strings.Contains(err.Error(), "tooshort") {
		t.Errorf("error %v", err)
	}
}

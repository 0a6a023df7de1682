package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
)

// REDIS_URL in each of its forms becomes the client options an operator
// would expect, with the hub's timeouts on every kind of client; what
// cannot work is refused at start with a reason.
func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		name     string
		url      string
		single   *redis.Options
		failover *redis.FailoverOptions
		cluster  *redis.ClusterOptions
		err      string
	}{
		{
			name:   "single server with password and db",
			url:    "redis://:s3cret@cache.internal:6380/2",
			single: &redis.Options{Addr: "cache.internal:6380", Password: "s3cret", DB: 2},
		},
		{
			name:   "single server with user",
			url:    "redis://hub:pw@localhost:6379",
			single: &redis.Options{Addr: "localhost:6379", Username: "hub", Password: "pw"},
		},
		{
			name:   "unix socket",
			url:    "redis-socket:///run/redis.sock?db=3",
			single: &redis.Options{Network: "unix", Addr: "/run/redis.sock", DB: 3},
		},
		{
			name: "sentinel, three sentinels",
			url:  "redis-sentinel://:pw@s1:26379,s2:26379,s3:26379/1?master=hubmaster",
			failover: &redis.FailoverOptions{
				MasterName: "hubmaster", SentinelAddrs: []string{"s1:26379", "s2:26379", "s3:26379"},
				Password: "pw", DB: 1,
			},
		},
		{
			name: "sentinel with its own password",
			url:  "redis-sentinel://s1:26379?master=m&sentinel_password=sp",
			failover: &redis.FailoverOptions{
				MasterName: "m", SentinelAddrs: []string{"s1:26379"}, SentinelPassword: "sp",
			},
		},
		{
			name: "sentinel with a bad database",
			url:  "redis-sentinel://s1:26379/x?master=m",
			err:  "database number",
		},
		{
			name: "sentinel without a master name",
			url:  "redis-sentinel://s1:26379,s2:26379",
			err:  "master=NAME",
		},
		{
			name:    "cluster, ports defaulted",
			url:     "redis-cluster://n1:7000,n2,n3:7002",
			cluster: &redis.ClusterOptions{Addrs: []string{"n1:7000", "n2:6379", "n3:7002"}},
		},
		{
			name:    "cluster with credentials",
			url:     "redis-cluster://hub:pw@n1:7000",
			cluster: &redis.ClusterOptions{Addrs: []string{"n1:7000"}, Username: "hub", Password: "pw"},
		},
		{
			name: "cluster without hosts",
			url:  "redis-cluster://,/",
			err:  "at least one host",
		},
		{name: "http", url: "http://localhost:6379", err: "want redis://"},
		{name: "not a URL", url: "redis://%zz", err: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseRedisURL(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.single != nil:
				if c.single == nil || c.failover != nil || c.cluster != nil {
					t.Fatalf("got %+v, want a single-server client", c)
				}
				want := *tt.single
				want.DialTimeout, want.ReadTimeout, want.WriteTimeout = redisDialTimeout, redisIOTimeout, redisIOTimeout
				want.ContextTimeoutEnabled = true
				if !reflect.DeepEqual(*c.single, want) {
					t.Errorf("options\n got %+v\nwant %+v", *c.single, want)
				}
				if _, ok := c.client().(*redis.Client); !ok {
					t.Errorf("client is %T", c.client())
				}
			case tt.failover != nil:
				if c.failover == nil || c.single != nil || c.cluster != nil {
					t.Fatalf("got %+v, want a Sentinel client", c)
				}
				want := *tt.failover
				want.DialTimeout, want.ReadTimeout, want.WriteTimeout = redisDialTimeout, redisIOTimeout, redisIOTimeout
				want.ContextTimeoutEnabled = true
				if !reflect.DeepEqual(*c.failover, want) {
					t.Errorf("options\n got %+v\nwant %+v", *c.failover, want)
				}
			case tt.cluster != nil:
				if c.cluster == nil || c.single != nil || c.failover != nil {
					t.Fatalf("got %+v, want a Cluster client", c)
				}
				want := *tt.cluster
				want.DialTimeout, want.ReadTimeout, want.WriteTimeout = redisDialTimeout, redisIOTimeout, redisIOTimeout
				want.ContextTimeoutEnabled = true
				if !reflect.DeepEqual(*c.cluster, want) {
					t.Errorf("options\n got %+v\nwant %+v", *c.cluster, want)
				}
				if cl, ok := c.client().(*redis.ClusterClient); !ok {
					t.Errorf("client is %T", c.client())
				} else {
					cl.Close()
				}
			}
		})
	}
}

// redis-cluster://...?tls=true verifies the first node's name.
func TestParseRedisClusterTLS(t *testing.T) {
	c, err := parseRedisURL("redis-cluster://node-1.cache.internal:7000,node-2.cache.internal:7000?tls=true")
	if err != nil {
		t.Fatal(err)
	}
	if c.cluster.TLSConfig == nil || c.cluster.TLSConfig.ServerName != "node-1.cache.internal" {
		t.Fatalf("TLS config %+v, want server name node-1.cache.internal", c.cluster.TLSConfig)
	}
}

// A Sentinel URL makes a failover client, which asynq takes as its
// connection like a single server's.
func TestRedisSentinelMakesAFailoverClient(t *testing.T) {
	c, err := parseRedisURL("redis-sentinel://127.0.0.1:1?master=m")
	if err != nil {
		t.Fatal(err)
	}
	cl, ok := c.MakeRedisClient().(*redis.Client)
	if !ok {
		t.Fatalf("client is %T, want the *redis.Client go-redis makes for a failover", c.MakeRedisClient())
	}
	cl.Close()
}

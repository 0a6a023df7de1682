package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// redisConn is REDIS_URL made into clients: a single server, Sentinel
// (redis-sentinel://) or Cluster (redis-cluster://). It is an
// asynq.RedisConnOpt, so asynq, asynqmon and the connectors all connect
// the same way, and every client it makes respects context deadlines: a
// Redis that hangs instead of refusing costs a request its deadline, not
// go-redis's default read timeout times its retries.
type redisConn struct {
	single   *redis.Options
	failover *redis.FailoverOptions
	cluster  *redis.ClusterOptions
}

// Timeouts for every Redis client the hub makes.
const (
	redisDialTimeout = 2 * time.Second
	redisIOTimeout   = 3 * time.Second
)

// MakeRedisClient implements asynq.RedisConnOpt: a new client each call.
func (c redisConn) MakeRedisClient() any {
	switch {
	case c.cluster != nil:
		o := *c.cluster
		return redis.NewClusterClient(&o)
	case c.failover != nil:
		o := *c.failover
		return redis.NewFailoverClient(&o)
	default:
		o := *c.single
		return redis.NewClient(&o)
	}
}

// client is MakeRedisClient, typed.
func (c redisConn) client() redis.UniversalClient {
	return c.MakeRedisClient().(redis.UniversalClient)
}

// parseRedisURL reads REDIS_URL:
//
//	redis://[user:password@]host[:port][/db]      (rediss:// for TLS)
//	redis-socket://[:password@]/path/to/socket[?db=N]
//	redis-sentinel://[:password@]host1:26379,host2:26379[/db]?master=NAME[&sentinel_password=P]
//	redis-cluster://[user:password@]host1:7000,host2:7001[?tls=true]
func parseRedisURL(raw string) (redisConn, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return redisConn{}, fmt.Errorf("not a URL")
	}
	if u.Scheme == "redis-cluster" {
		return parseRedisCluster(u)
	}
	opt, err := asynq.ParseRedisURI(raw)
	if err != nil {
		return redisConn{}, fmt.Errorf("want redis://, rediss://, redis-socket://, redis-sentinel:// or redis-cluster://")
	}
	// asynq reads only the password from the URL: the user name (Redis 6
	// ACLs) is taken here, and for Sentinel the URL's credentials and
	// database are the master's, as documented above, not the sentinels'.
	user, pass := "", ""
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	switch o := opt.(type) {
	case asynq.RedisClientOpt:
		o.Username = user
		return redisConn{single: &redis.Options{
			Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB,
			TLSConfig: o.TLSConfig, DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout,
			WriteTimeout: redisIOTimeout, ContextTimeoutEnabled: true,
		}}, nil
	case asynq.RedisFailoverClientOpt:
		if o.MasterName == "" {
			return redisConn{}, fmt.Errorf("redis-sentinel:// needs ?master=NAME")
		}
		o.Username, o.Password, o.SentinelPassword = user, pass, u.Query().Get("sentinel_password")
		if path := strings.Trim(u.Path, "/"); path != "" {
			db, err := strconv.Atoi(path)
			if err != nil || db < 0 {
				return redisConn{}, fmt.Errorf("redis-sentinel:// takes a database number as its path")
			}
			o.DB = db
		}
		return redisConn{failover: &redis.FailoverOptions{
			MasterName: o.MasterName, SentinelAddrs: o.SentinelAddrs, SentinelUsername: o.SentinelUsername,
			SentinelPassword: o.SentinelPassword, Username: o.Username, Password: o.Password, DB: o.DB,
			TLSConfig: o.TLSConfig, DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout,
			WriteTimeout: redisIOTimeout, ContextTimeoutEnabled: true,
		}}, nil
	}
	return redisConn{}, fmt.Errorf("unsupported Redis URL")
}

func parseRedisCluster(u *url.URL) (redisConn, error) {
	var addrs []string
	for _, a := range strings.Split(u.Host, ",") {
		if a = strings.TrimSpace(a); a == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(a, "6379")
		}
		addrs = append(addrs, a)
	}
	if len(addrs) == 0 {
		return redisConn{}, fmt.Errorf("redis-cluster:// needs at least one host")
	}
	o := &redis.ClusterOptions{
		Addrs: addrs, DialTimeout: redisDialTimeout, ReadTimeout: redisIOTimeout,
		WriteTimeout: redisIOTimeout, ContextTimeoutEnabled: true,
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if u.Query().Get("tls") == "true" {
		host, _, _ := net.SplitHostPort(addrs[0])
		o.TLSConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return redisConn{cluster: o}, nil
}

// redisMarks are the pipeline's take-over marks (webhooks.Marks) in Redis.
type redisMarks struct{ rdb redis.UniversalClient }

func (m redisMarks) Mark(ctx context.Context, key string, ttl time.Duration) error {
	return m.rdb.Set(ctx, key, 1, ttl).Err()
}

func (m redisMarks) Marked(ctx context.Context, key string) (bool, error) {
	n, err := m.rdb.Exists(ctx, key).Result()
	return n > 0, err
}

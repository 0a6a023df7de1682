package main

import "context"

// shopifyConfig is the Shopify connector's part of the configuration.
type shopifyConfig struct{}

func loadShopifyConfig(getenv func(string) string) (shopifyConfig, error) {
	return shopifyConfig{}, nil
}

// wireShopify connects the Shopify connector: routes, decoders, tasks, follow-ups.
func (a *App) wireShopify(ctx context.Context) error { return nil }

package wootest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"hub/connectors/woocommerce"
)

const userAgent = "WooCommerce/9.4.2 Hookshot (WordPress/6.7.1)"

func (s *Store) listWebhooks(w http.ResponseWriter, r *http.Request) {
	list := []map[string]any{}
	for _, h := range s.Webhooks() {
		list = append(list, webhookJSON(h))
	}
	writeJSON(w, http.StatusOK, list)
}

func webhookJSON(h Webhook) map[string]any {
	resource, event, _ := strings.Cut(h.Topic, ".")
	return map[string]any{
		"id": h.ID, "name": h.Name, "status": h.Status, "topic": h.Topic, "resource": resource, "event": event,
		"hooks": []string{}, "delivery_url": h.DeliveryURL,
	}
}

// createWebhook registers a webhook and, like WooCommerce's REST controller,
// pings its delivery URL synchronously before answering 201. The ping's
// outcome does not change the answer.
func (s *Store) createWebhook(w http.ResponseWriter, r *http.Request) {
	var in woocommerce.Webhook
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		restError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	if !validTopic(in.Topic) {
		restError(w, http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_topic", "Webhook topic is required and must be valid.")
		return
	}
	if !strings.HasPrefix(in.DeliveryURL, "http://") && !strings.HasPrefix(in.DeliveryURL, "https://") {
		restError(w, http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_delivery_url", "Webhook delivery URL must be a valid URL starting with http:// or https://.")
		return
	}
	s.mu.Lock()
	s.nextID++
	h := &Webhook{ID: s.nextID, Name: in.Name, Status: "active", Topic: in.Topic, DeliveryURL: in.DeliveryURL, Secret: in.Secret}
	if in.Status != "" {
		h.Status = in.Status
	}
	if h.Secret == "" {
		h.Secret = "wp-generated&<secret>" // WooCommerce's wp_generate_password(50, true, true)
	}
	s.webhooks[h.ID] = h
	s.mu.Unlock()

	status := s.post(h.DeliveryURL, "application/x-www-form-urlencoded", []byte("webhook_id="+strconv.FormatInt(h.ID, 10)), nil)
	s.mu.Lock()
	h.PingStatus = status
	out := webhookJSON(*h)
	s.mu.Unlock()
	w.Header().Set("Location", s.URL()+prefix+"webhooks/"+strconv.FormatInt(h.ID, 10))
	writeJSON(w, http.StatusCreated, out)
}

func (s *Store) updateWebhook(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var in woocommerce.Webhook
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		restError(w, http.StatusBadRequest, "rest_invalid_json", "Invalid JSON body passed.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.webhooks[id]
	if !ok {
		restError(w, http.StatusBadRequest, "woocommerce_rest_shop_webhook_invalid_id", "ID is invalid.")
		return
	}
	if in.Status != "" {
		h.Status = in.Status
		if in.Status == "active" {
			h.FailureCount = 0
		}
	}
	if in.Secret != "" {
		h.Secret = in.Secret
	}
	if in.DeliveryURL != "" {
		h.DeliveryURL = in.DeliveryURL
	}
	if in.Name != "" {
		h.Name = in.Name
	}
	writeJSON(w, http.StatusOK, webhookJSON(*h))
}

func validTopic(t string) bool {
	resource, event, ok := strings.Cut(t, ".")
	switch resource {
	case "order", "customer", "product", "coupon":
		return ok && (event == "created" || event == "updated" || event == "deleted" || event == "restored")
	}
	return false
}

// Deliver sends the resource's current state (or {"id":N} for a deletion)
// to every active webhook of topic, signed with each webhook's secret. A
// status outside 200–302 counts as a failure; the seventh failure in a row
// disables the webhook, and WooCommerce never retries.
func (s *Store) Deliver(topic string, id int64) {
	resource, event, _ := strings.Cut(topic, ".")
	s.mu.Lock()
	var payload []byte
	switch {
	case event == "deleted":
		payload = phpJSON(map[string]int64{"id": id})
	case resource == "order" && s.orders[id] != nil:
		payload = phpJSON(s.orders[id])
	case resource == "customer" && s.customers[id] != nil:
		payload = phpJSON(s.customers[id])
	default:
		s.mu.Unlock()
		return
	}
	var targets []*Webhook
	for _, h := range s.webhooks {
		if h.Topic == topic && h.Status == "active" {
			targets = append(targets, h)
		}
	}
	dropping := s.dropping
	now := s.clock()
	s.mu.Unlock()

	for _, h := range targets {
		status := 0
		if !dropping {
			status = s.post(h.DeliveryURL, "application/json", payload, map[string]string{
				woocommerce.HeaderSource:     s.URL() + "/",
				woocommerce.HeaderTopic:      topic,
				woocommerce.HeaderResource:   resource,
				woocommerce.HeaderEvent:      event,
				woocommerce.HeaderSignature:  woocommerce.Sign(h.Secret, payload),
				woocommerce.HeaderWebhookID:  strconv.FormatInt(h.ID, 10),
				woocommerce.HeaderDeliveryID: deliveryID(h.ID, now.Unix()),
			})
		}
		s.mu.Lock()
		h.Deliveries = append(h.Deliveries, Delivery{Topic: topic, Status: status, At: now})
		if status >= 200 && status <= 302 {
			h.FailureCount = 0
		} else {
			if h.FailureCount > 5 {
				h.Status = "disabled"
			}
			h.FailureCount++
		}
		s.mu.Unlock()
	}
}

// deliveryID mimics wp_hash(webhook_id . time()): one second's deliveries
// of a webhook share it, which is why the hub cannot dedupe on it.
func deliveryID(webhookID, unix int64) string {
	sum := md5.Sum([]byte(fmt.Sprintf("%d%d", webhookID, unix)))
	return hex.EncodeToString(sum[:])
}

func (s *Store) post(url, contentType string, body []byte, headers map[string]string) int {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", userAgent)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

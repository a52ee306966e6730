package main

import (
	"strings"
	"testing"
)

func TestSendAnswers(t *testing.T) {
	ack := `{"type":"ack","ref":"r1","http_status":201,"message":{"id":"msg_1","body":"{\"type\":\"ack\",\"ref\":\"r9\"}"}}`
	retry := `{"type":"ack","ref":"r2","http_status":200,"message":{"id":"msg_2"}}`
	refused := `{"type":"error","ref":"r3","http_status":403,"code":"not_member","message":"you are not a member"}`
	event := `{"type":"event","pos":7,"event":"message.created","data":{"client_msg_id":"Lx.1.2.3"}}`
	for _, c := range []struct {
		name string
		data string
		want []string // ref and accepted of each answer
	}{
		{"ack alone", ack, []string{"r1 true"}},
		{"error alone", refused, []string{"r3 false"}},
		{"event alone", event, nil},
		{"ready", `{"type":"ready","pos":4}`, nil},
		{"batch", "[" + event + "," + ack + "," + event + "," + refused + "," + retry + "]", []string{"r1 true", "r3 false", "r2 true"}},
		{"answer without ref", `{"code":"slow_consumer","message":"too slow","type":"error"}`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, a := range sendAnswers([]byte(c.data)) {
				s := a.Ref + " false"
				if a.accepted() {
					s = a.Ref + " true"
				}
				got = append(got, s)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestSendAnswerText(t *testing.T) {
	a := sendAnswers([]byte(`{"type":"error","ref":"r3","http_status":403,"code":"not_member","message":"you are not a member"}`))[0]
	if got, want := a.String(), "stream send: error 403 not_member you are not a member"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCheckVia(t *testing.T) {
	for _, c := range []struct {
		o  options
		ok bool
	}{
		{options{mode: "send", via: "rest"}, true},
		{options{mode: "send", via: "rest", senders: 10}, true},
		{options{mode: "send", via: "stream", senders: 10}, true},
		{options{mode: "send", via: "stream"}, false},
		{options{mode: "announce", via: "stream", senders: 10}, false},
		{options{mode: "send", via: "grpc", senders: 10}, false},
	} {
		if err := c.o.check(); (err == nil) != c.ok {
			t.Errorf("%+v: check() = %v", c.o, err)
		}
	}
}

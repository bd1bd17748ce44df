package pipeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
)

// ForwardAPI is every API call the built-in forward streams make. A stream
// that calls an endpoint of its own declares it in its file and asserts
// the API to it in New.
type ForwardAPI interface {
	extract.UsersAPI
	extract.ReferenceAPI
	extract.QueuesAPI
	extract.RolesAPI
	extract.AnalyticsAPI
	extract.DevelopmentActivitiesAPI
	DirectoryAPI
	UtilizationAPI
}

// Queue membership strategies: auto chooses the cheaper of the two per run.
const (
	QueueStrategyAuto    = "auto"
	QueueStrategyQueue   = string(extract.QueueSide)
	QueueStrategyPerUser = string(extract.PerUser)
)

// QueueStrategies are the values of ForwardConfig.QueueStrategy.
var QueueStrategies = []string{QueueStrategyAuto, QueueStrategyQueue, QueueStrategyPerUser}

// UserStates are the values of ForwardConfig.States.
var UserStates = []string{genesys.StateActive, genesys.StateInactive, genesys.StateDeleted}

// defaultExpandExtra are the expands on by default that load no table of
// their own: authorization, and employerInfo and team, which are columns
// of users.
var defaultExpandExtra = []string{"authorization", "employerInfo", "team"}

// DefaultExpand is the users listing's expand list unless configured: the
// registered expands that are on by default (Expand.Default), then those
// that load no table of their own.
func DefaultExpand() []string {
	var out []string
	for _, e := range registry.expands {
		if e.Default {
			out = append(out, e.Name)
		}
	}
	return append(out, defaultExpandExtra...)
}

// ForwardConfig says what a forward pipeline reads. The zero value reads
// every default stream (DefaultStreams) of users of every state, with
// DefaultExpand. Its defaults are the only ones: package config leaves a
// key absent from the file unset.
type ForwardConfig struct {
	// Streams to run (StreamNames). Default DefaultStreams: every stream
	// but the optional ones. A stream's After dependencies are added when
	// absent (reference, when users, queues or roles need its ids). skills
	// and languages are loaded by the users stream from its expands and
	// only decide whether it loads them.
	Streams []string
	// States of users to read. Default UserStates (a BI copy needs leavers;
	// GET /users alone returns only active users). Users are marked deleted
	// (deleted_at) only when all of active, inactive and deleted are read.
	States []string
	// Expand of GET /api/v2/users. Default DefaultExpand; skills and
	// languages are added when those streams are on.
	Expand []string
	// PageSize of GET /api/v2/users. Default genesys.MaxUsersPageSize (500).
	PageSize int
	// QueueStrategy is auto, queue or user (QueueStrategies). Default auto.
	QueueStrategy string
	// Workers is how many calls a stream keeps in flight. Default
	// extract.DefaultWorkers.
	Workers int
	// PagingCap is the API's deep-paging cap. Default genesys.PagingCap.
	PagingCap int
	// Analytics configures user_details and user_aggregates (defaults:
	// extract.AnalyticsConfig.WithDefaults). Unless its Slots are set, both
	// streams of a run share one set of MaxConcurrentJobs slots.
	Analytics extract.AnalyticsConfig
	// Activities configures development_activities (defaults:
	// extract.ActivitiesConfig.WithDefaults).
	Activities extract.ActivitiesConfig
}

// WithDefaults returns c with every unset field set to its default.
func (c ForwardConfig) WithDefaults() ForwardConfig {
	if c.Streams == nil {
		c.Streams = DefaultStreams()
	}
	if c.States == nil {
		c.States = slices.Clone(UserStates)
	}
	if c.Expand == nil {
		c.Expand = DefaultExpand()
	}
	c.PageSize = cmp.Or(c.PageSize, genesys.MaxUsersPageSize)
	c.QueueStrategy = cmp.Or(c.QueueStrategy, QueueStrategyAuto)
	c.Workers = cmp.Or(c.Workers, extract.DefaultWorkers)
	c.PagingCap = cmp.Or(c.PagingCap, genesys.PagingCap)
	c.Analytics = c.Analytics.WithDefaults()
	c.Activities.Workers = cmp.Or(c.Activities.Workers, c.Workers)
	c.Activities = c.Activities.WithDefaults()
	return c
}

// completeSnapshot reports whether the users of every state are read, so
// that users missing from the listing are gone.
func (c ForwardConfig) completeSnapshot() bool {
	for _, s := range UserStates {
		if !slices.Contains(c.States, s) {
			return false
		}
	}
	return true
}

// ForwardStreams builds the streams of a forward pipeline from the
// registry: the streams cfg lists, the users stream for an expand listed as
// a stream, and the streams they run after.
func ForwardStreams(api ForwardAPI, cfg ForwardConfig) ([]Stream, error) {
	cfg = cfg.WithDefaults()
	if !slices.Contains(QueueStrategies, cfg.QueueStrategy) {
		return nil, fmt.Errorf("forward pipeline: queue strategy %q is not %s", cfg.QueueStrategy, strings.Join(QueueStrategies, ", "))
	}
	want := map[string]bool{}
	var need func(name string)
	need = func(name string) {
		if want[name] {
			return
		}
		want[name] = true
		s, _ := Lookup(name)
		for _, d := range s.After {
			need(d)
		}
	}
	for _, name := range cfg.Streams {
		if e, ok := expandStream(name); ok {
			need(StreamUsers)
			if !slices.Contains(cfg.Expand, e.Name) {
				cfg.Expand = append(slices.Clone(cfg.Expand), e.Name)
			}
			continue
		}
		if _, ok := Lookup(name); !ok {
			return nil, fmt.Errorf("forward pipeline: no stream %q (streams: %s)", name, strings.Join(StreamNames(), ", "))
		}
		need(name)
	}
	if cfg.Analytics.Slots == nil {
		// Shared by the analytics streams of the run, so that the org's
		// job cap counts them together.
		cfg.Analytics.Slots = extract.NewJobSlots(cfg.Analytics.MaxConcurrentJobs)
	}
	var streams []Stream
	for _, spec := range Specs() {
		if !want[spec.Name] {
			continue
		}
		s, err := spec.New(api, cfg)
		if err != nil {
			return nil, fmt.Errorf("forward pipeline: %s: %w", spec.Name, err)
		}
		s.Name, s.Tables, s.After, s.Awaits = spec.Name, spec.Tables, spec.After, spec.Awaits
		streams = append(streams, s)
	}
	return streams, nil
}

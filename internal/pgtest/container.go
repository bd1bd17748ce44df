package pgtest

import (
	"context"
	"time"

	"github.com/testcontainers/testcontainers-go/modules/postgres"
)

// startContainer starts a PostgreSQL 15 container for the whole test binary.
// It is left for testcontainers' reaper to remove when the process exits.
func startContainer() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ctr, err := postgres.Run(ctx, "postgres:15-alpine",
		postgres.WithDatabase("test"),
		postgres.WithUsername("postgres"),
		postgres.WithPassword("postgres"),
		postgres.BasicWaitStrategies(),
	)
	if err != nil {
		return "", err
	}
	return ctr.ConnectionString(ctx, "sslmode=disable")
}

package apply

import (
	"context"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/store"
)

// API is every Genesys Cloud call apply makes; *genesys.Client has them.
type API interface {
	CreateUser(ctx context.Context, u genesys.CreateUser) (genesys.User, error)
	UpdateUser(ctx context.Context, userID string, u genesys.UpdateUser) (genesys.User, error)
	GetUser(ctx context.Context, userID string, opts *genesys.GetUserOptions) (genesys.User, error)
	DeleteUser(ctx context.Context, userID string) error
	PatchUsersBulk(ctx context.Context, users []genesys.PatchUser) (*genesys.Listing[genesys.User], error)
	PatchUserRoutingSkills(ctx context.Context, userID string, skills []genesys.UserRoutingSkillPost) (*genesys.Listing[genesys.UserRoutingSkill], error)
	ReplaceUserRoutingSkills(ctx context.Context, userID string, skills []genesys.UserRoutingSkillPost) (*genesys.Listing[genesys.UserRoutingSkill], error)
	DeleteUserRoutingSkill(ctx context.Context, userID, skillID string) error
	PatchUserRoutingLanguages(ctx context.Context, userID string, langs []genesys.UserRoutingLanguagePost) (*genesys.Listing[genesys.UserRoutingLanguage], error)
	DeleteUserRoutingLanguage(ctx context.Context, userID, languageID string) error
	PatchUserQueues(ctx context.Context, userID string, joins []genesys.QueueJoin) (*genesys.Listing[genesys.UserQueue], error)
	AddQueueMembers(ctx context.Context, queueID string, userIDs []string) error
	RemoveQueueMembers(ctx context.Context, queueID string, userIDs []string) error
	GrantRoles(ctx context.Context, subjectID string, grants []genesys.RoleDivisionPair) error
	RevokeRoles(ctx context.Context, subjectID string, grants []genesys.RoleDivisionPair) error
	AddUserExternalID(ctx context.Context, userID string, id genesys.UserExternalIdentifier) ([]genesys.UserExternalIdentifier, error)
	GetUserByExternalID(ctx context.Context, authorityName, externalKey string, expand []string) (genesys.User, error)
	SearchUsers(ctx context.Context, req genesys.UserSearchRequest) (*genesys.UsersSearchResponse, error)
	MoveUsersToDivision(ctx context.Context, divisionID string, userIDs []string) error
	// The joiner and leaver steps.
	DeleteVerifier(ctx context.Context, userID, verifierID string) error
	ClearDefaultStation(ctx context.Context, userID string) error
	ClearAssociatedStation(ctx context.Context, userID string) error
	SetDefaultStation(ctx context.Context, userID, stationID string) error
	SetUserUtilization(ctx context.Context, userID string, req genesys.UtilizationRequest) (genesys.AgentMaxUtilizationResponse, error)
	ResetUserUtilization(ctx context.Context, userID string) error
	SetProfileSkills(ctx context.Context, userID string, skills []string) ([]string, error)
	SendInvite(ctx context.Context, userID string, force bool) error
}

// Journal is the plan journal; *store.Store has it.
type Journal interface {
	CreatePlan(ctx context.Context, p store.Plan, ops []store.Operation) error
	Plan(ctx context.Context, id string) (store.Plan, error)
	SetPlanStatus(ctx context.Context, id, status string) error
	Operations(ctx context.Context, planID string) ([]store.Operation, error)
	BeginOperation(ctx context.Context, planID string, seq int) (store.Operation, error)
	FinishOperation(ctx context.Context, planID string, seq int, res store.OpResult) error
	// TryLock takes a lock without waiting (store.ErrLocked when another
	// session holds it): an apply holds its plan's (LockName).
	TryLock(ctx context.Context, name string, cfg store.LockConfig) (*store.Lock, error)
}

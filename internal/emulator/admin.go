package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// The /_emulator routes control the emulator. They need no token, are never
// rate limited or faulted, and are counted in the stats like any route.

// getStats serves GET /_emulator/stats.
func (s *Server) getStats(w http.ResponseWriter, _ *http.Request) {
	wire.WriteJSON(w, http.StatusOK, s.Stats())
}

// getFaults serves GET /_emulator/faults.
func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request) {
	wire.WriteJSON(w, http.StatusOK, s.Faults())
}

// putFaults serves PUT /_emulator/faults: the body replaces the faults in
// force (an empty object clears them) and the answer is the new state.
func (s *Server) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if !wire.DecodeBody(w, r, &f) {
		return
	}
	if err := s.SetFaults(f); err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	wire.WriteJSON(w, http.StatusOK, s.Faults())
}

// postMutate serves POST /_emulator/mutate with a MutateRequest body (an
// empty body takes the defaults) and answers the MutateResult.
func (s *Server) postMutate(w http.ResponseWriter, r *http.Request) {
	var req MutateRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil && !errors.Is(err, io.EOF) {
		wire.BadRequest(w, "The mutate request is not valid JSON: %v", err)
		return
	}
	res, err := s.Mutate(req)
	if err != nil {
		wire.BadRequest(w, "%v", err)
		return
	}
	wire.WriteJSON(w, http.StatusOK, res)
}

// postReset serves POST /_emulator/reset (see Server.Reset).
func (s *Server) postReset(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

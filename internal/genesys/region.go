package genesys

import (
	"fmt"
	"slices"
	"strings"
)

// Region is a Genesys Cloud region: its domain serves the API at
// https://api.{Domain} and the login server at https://login.{Domain}.
type Region struct {
	// Domain is the region's domain (mypurecloud.ie).
	Domain string
	// Name is the region's AWS-style name (eu-west-1).
	Name string
}

// APIBase is the region's API base URL.
func (r Region) APIBase() string { return "https://api." + r.Domain }

// LoginBase is the region's login server base URL.
func (r Region) LoginBase() string { return "https://login." + r.Domain }

// Regions lists every Genesys Cloud region.
var Regions = []Region{
	{"mypurecloud.com", "us-east-1"},
	{"usw2.pure.cloud", "us-west-2"},
	{"use2.us-gov-pure.cloud", "us-east-2"},
	{"cac1.pure.cloud", "ca-central-1"},
	{"mypurecloud.ie", "eu-west-1"},
	{"euw2.pure.cloud", "eu-west-2"},
	{"mypurecloud.de", "eu-central-1"},
	{"euc2.pure.cloud", "eu-central-2"},
	{"edee1.eusc-pure.cloud", "eusc-de-east-1"},
	{"aps1.pure.cloud", "ap-south-1"},
	{"apne2.pure.cloud", "ap-northeast-2"},
	{"mypurecloud.jp", "ap-northeast-1"},
	{"apne3.pure.cloud", "ap-northeast-3"},
	{"mypurecloud.com.au", "ap-southeast-2"},
	{"apse1.pure.cloud", "ap-southeast-1"},
	{"sae1.pure.cloud", "sa-east-1"},
	{"mec1.pure.cloud", "me-central-1"},
	{"mxc1.pure.cloud", "mx-central-1"},
}

// LookupRegion finds a region by domain (mypurecloud.ie) or name
// (eu-west-1), ignoring case, a leading "api." or "login." and a scheme.
func LookupRegion(s string) (Region, error) {
	key := strings.ToLower(strings.TrimSpace(s))
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	key = strings.TrimSuffix(key, "/")
	key = strings.TrimPrefix(strings.TrimPrefix(key, "api."), "login.")
	i := slices.IndexFunc(Regions, func(r Region) bool { return r.Domain == key || r.Name == key })
	if i < 0 {
		return Region{}, fmt.Errorf("genesys: unknown region %q (want a domain such as mypurecloud.ie or a name such as eu-west-1)", s)
	}
	return Regions[i], nil
}

using System.Net;
using Hangfire.Dashboard;

namespace Warning.Web.Jobs;

/// <summary>
/// Who may open <c>/jobs</c>: the one place to change when accounts exist (issue 13: the operator role). Until then,
/// requests from this machine only. Hangfire's own local-only filter also admits a remote address equal to the local
/// one; this admits loopback alone. Behind a reverse proxy on the same machine every request is loopback: keep the
/// proxy from forwarding /jobs until the operator role guards it.
/// </summary>
internal sealed class JobsDashboardAccess : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) =>
        context.GetHttpContext().Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote);
}

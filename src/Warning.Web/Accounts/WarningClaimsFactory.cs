using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Warning.Web.Accounts;

/// <summary>Puts the user's role, region and unfinished sign-in stage into the cookie's principal.</summary>
public sealed class WarningClaimsFactory(UserManager<WarningUser> users, IOptions<IdentityOptions> identity, IOptions<AuthOptions> auth)
    : UserClaimsPrincipalFactory<WarningUser>(users, identity)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(WarningUser user)
    {
        var id = await base.GenerateClaimsAsync(user);
        id.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        if (user.RegionId.Length > 0) id.AddClaim(new Claim(WarningClaims.Region, user.RegionId));
        if (StageOf(user, auth.Value) is { } stage) id.AddClaim(new Claim(WarningClaims.Stage, stage));
        return id;
    }

    public static string? StageOf(WarningUser user, AuthOptions auth) =>
        user.MustChangePassword ? "change_password"
        : auth.TotpRoleSet.Contains(user.Role) && !user.TwoFactorEnabled ? "enrol_totp"
        : null;
}

using Microsoft.AspNetCore.Identity;

namespace Warning.Web.Accounts;

/// <summary>A person who signs in: one role and one region (issue 13).</summary>
public sealed class WarningUser : IdentityUser
{
    public string Role { get; set; } = "";

    public string RegionId { get; set; } = "";

    /// <summary>Set while the password is a one-time one (first run, or made by an admin): the session may only change it.</summary>
    public bool MustChangePassword { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";
}

/// <summary>A machine feed's key. Only its SHA-256 is stored: the key itself is shown once, at creation.</summary>
public sealed class ApiKeyRecord
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the whole key; keys are 256 random bits, so a fast hash is enough (no dictionary to try).</summary>
    public string Hash { get; set; } = "";

    /// <summary>Comma-separated ingest kinds.</summary>
    public string Kinds { get; set; } = "";

    public string? RegionId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

/// <summary>A big screen's kiosk token: no expiry while the display is registered, revoked by deleting it.</summary>
public sealed class ScreenTokenRecord
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public string Hash { get; set; } = "";

    public string? RegionId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }
}

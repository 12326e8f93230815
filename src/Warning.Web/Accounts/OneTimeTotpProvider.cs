using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;

namespace Warning.Web.Accounts;

/// <summary>
/// The authenticator check (RFC 6238: SHA-1, 30 s steps, 6 digits), in place of Identity's, which accepts a code again
/// and again while its window lasts: someone who saw a code typed (over a shoulder, in a proxy's log) could sign in
/// with it for up to two minutes. Here each time step is good once per user: the last step used is kept with the user
/// (Identity's token table, beside the authenticator key), and a code of that step or an earlier one is refused. The
/// write goes through the user's concurrency stamp, so two sign-ins racing with one code cannot both succeed.
/// </summary>
public sealed class OneTimeTotpProvider(TimeProvider time) : IUserTwoFactorTokenProvider<WarningUser>
{
    public const string LoginProvider = "Warning";
    public const string LastStepName = "TotpLastStep";

    /// <summary>Steps either side of now that are accepted, for clock drift and a slow typist (as Identity allows).</summary>
    public const int Drift = 2;

    public const int StepSeconds = 30;

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<WarningUser> manager, WarningUser user) =>
        !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));

    /// <summary>The authenticator app makes the codes; the service never sends one.</summary>
    public Task<string> GenerateAsync(string purpose, UserManager<WarningUser> manager, WarningUser user) => Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<WarningUser> manager, WarningUser user)
    {
        if (token is not { Length: 6 } || !token.All(char.IsAsciiDigit)) return false;
        if (await manager.GetAuthenticatorKeyAsync(user) is not { Length: > 0 } key || FromBase32(key) is not { Length: > 0 } secret) return false;
        var last = long.TryParse(await manager.GetAuthenticationTokenAsync(user, LoginProvider, LastStepName), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : long.MinValue;
        var now = time.GetUtcNow().ToUnixTimeSeconds() / StepSeconds;
        for (var step = now - Drift; step <= now + Drift; step++)
        {
            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(Code(secret, step)), System.Text.Encoding.ASCII.GetBytes(token))) continue;
            // A code of a step already used (or one before it) is a replay.
            if (step <= last) return false;
            return (await manager.SetAuthenticationTokenAsync(user, LoginProvider, LastStepName, step.ToString(CultureInfo.InvariantCulture))).Succeeded;
        }
        return false;
    }

    public static string Code(byte[] secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(secret, counter, hash);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32, as Identity writes authenticator keys; null on a character outside the alphabet.</summary>
    public static byte[]? FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>(text.Length * 5 / 8);
        foreach (var c in text.TrimEnd('='))
        {
            if (c == ' ') continue;
            var index = alphabet.IndexOf(char.ToUpperInvariant(c));
            if (index < 0) return null;
            value = (value << 5) | index;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(value >> (bits - 8)));
                bits -= 8;
            }
        }
        return output.ToArray();
    }
}

using System.Security.Cryptography;

namespace Warning.Web.Tests.Security;

/// <summary>RFC 6238 as an authenticator app computes it (SHA-1, 30 s, 6 digits, base32 key): independent of Identity's code.</summary>
public static class Totp
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> LastStep = new();

    public static string Code(string base32Key, DateTimeOffset? at = null) => CodeAt(base32Key, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds() / 30);

    /// <summary>
    /// A code of a step not used before with this key: the service takes each step once (a replayed code is refused), so
    /// a test signing in twice within 30 s uses the next step's code, which the service's drift allowance accepts.
    /// </summary>
    public static async Task<string> NextCodeAsync(string base32Key)
    {
        var step = LastStep.AddOrUpdate(base32Key, _ => Now(), (_, last) => Math.Max(Now(), last + 1));
        // The service accepts up to two steps ahead; stay within one so a slow request does not fall outside.
        Assert.True(await Support.Poll.UntilAsync(() => step - Now() <= 1, TimeSpan.FromSeconds(120)), "no fresh TOTP step");
        return CodeAt(base32Key, step);
    }

    /// <summary>Marks a step as used by a code sent outside <see cref="NextCodeAsync"/> (e.g. by a browser test).</summary>
    public static void Used(string base32Key, DateTimeOffset at) =>
        LastStep.AddOrUpdate(base32Key, _ => at.ToUnixTimeSeconds() / 30, (_, last) => Math.Max(last, at.ToUnixTimeSeconds() / 30));

    /// <summary>The last step <see cref="NextCodeAsync"/> handed out for this key.</summary>
    public static long LastUsedStep(string base32Key) => LastStep[base32Key];

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30;

    public static string CodeAt(string base32Key, long step)
    {
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian) Array.Reverse(counter);
        var hash = HMACSHA1.HashData(FromBase32(base32Key), counter);
        var offset = hash[^1] & 0x0f;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] FromBase32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bits = 0;
        var value = 0;
        var output = new List<byte>();
        foreach (var c in text.TrimEnd('=').ToUpperInvariant().Where(c => c != ' '))
        {
            value = (value << 5) | alphabet.IndexOf(c);
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

using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Warning.Web.Audit;

namespace Warning.Web.Accounts;

/// <summary>
/// Accounts, API keys, screen tokens, the audit log and the data-protection keys: SQLite in the data folder
/// (accounts.db), or PostgreSQL in cluster mode (Accounts:Provider), where every node shares them.
/// </summary>
public sealed class AccountsDb(DbContextOptions<AccountsDb> options) : IdentityUserContext<WarningUser>(options), IDataProtectionKeyContext
{
    public DbSet<ApiKeyRecord> ApiKeys => Set<ApiKeyRecord>();

    public DbSet<ScreenTokenRecord> ScreenTokens => Set<ScreenTokenRecord>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<WarningUser>(e =>
        {
            e.Property(u => u.Role).HasMaxLength(32);
            e.Property(u => u.RegionId).HasMaxLength(64);
        });
        builder.Entity<ApiKeyRecord>(e =>
        {
            e.ToTable("api_keys");
            e.HasKey(k => k.Id);
            e.HasIndex(k => k.Hash).IsUnique();
        });
        builder.Entity<ScreenTokenRecord>(e =>
        {
            e.ToTable("screen_tokens");
            e.HasKey(k => k.Id);
            e.HasIndex(k => k.Hash).IsUnique();
        });
        builder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_log");
            e.HasKey(a => a.Seq);
            // Seq is chosen by the writer (last + 1), so two nodes appending at once collide on the key instead of forking the chain.
            e.Property(a => a.Seq).ValueGeneratedNever();
        });
        // SQLite cannot order or compare DateTimeOffset natively; store UTC ticks, which sort like the times.
        if (Database.IsSqlite())
            foreach (var entity in builder.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties().Where(p => p.ClrType == typeof(DateTimeOffset) || p.ClrType == typeof(DateTimeOffset?)))
                property.SetValueConverter(typeof(Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter));
    }
}

using Warning.Silo.Memory;

namespace Warning.Silo.Tests.Memory;

public sealed class MemoryTrimPolicyTests
{
    [Fact]
    public void A_province_wave_is_trimmed_once_it_stops_falling_not_while_it_falls()
    {
        // 320,000 activations after ingest; the leaves go over a few minutes.
        Assert.False(MemoryTrimPolicy.WaveOver(320_000, 320_000, 250_000, 20_000));
        Assert.False(MemoryTrimPolicy.WaveOver(320_000, 250_000, 120_000, 20_000));
        Assert.False(MemoryTrimPolicy.WaveOver(320_000, 120_000, 50_000, 20_000));
        Assert.True(MemoryTrimPolicy.WaveOver(320_000, 50_000, 46_000, 20_000));
    }

    [Fact]
    public void A_small_nodes_churn_is_no_wave()
    {
        // The demo: a few thousand activations come and go.
        Assert.False(MemoryTrimPolicy.WaveOver(6_000, 2_000, 2_000, 20_000));
        // A large drop that is a small share of a large node is churn too.
        Assert.False(MemoryTrimPolicy.WaveOver(400_000, 330_000, 330_000, 20_000));
    }

    [Fact]
    public void Churn_calls_for_a_full_collection_once_enough_activations_died_since_the_last_one()
    {
        Assert.False(MemoryTrimPolicy.ChurnDue(59_999, 60_000));
        Assert.True(MemoryTrimPolicy.ChurnDue(60_000, 60_000));
        // 0 turns it off, whatever died.
        Assert.False(MemoryTrimPolicy.ChurnDue(1_000_000, 0));
    }
}

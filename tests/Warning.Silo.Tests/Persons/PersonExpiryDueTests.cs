using Warning.Silo.Persons;

namespace Warning.Silo.Tests.Persons;

public sealed class PersonExpiryDueTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 10, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void A_person_is_due_until_a_visit_says_when_and_again_from_that_moment()
    {
        var due = new PersonExpiryDue();
        Assert.True(due.IsDue("p1", Now));
        due.Record("p1", due.Generation("p1"), Now.AddDays(10));
        Assert.False(due.IsDue("p1", Now.AddDays(9)));
        Assert.True(due.IsDue("p1", Now.AddDays(10)));
        // Purged: never again.
        due.Record("p1", due.Generation("p1"), null);
        Assert.False(due.IsDue("p1", Now.AddYears(50)));
    }

    [Fact]
    public void A_visit_that_read_the_record_before_a_registration_applied_cannot_store_its_moment()
    {
        var due = new PersonExpiryDue();
        due.Record("p1", due.Generation("p1"), Now.AddDays(100));
        var seen = due.Generation("p1");
        // The registration applies while the visit is out: what the visit brings back is the old record's moment.
        due.Forget("p1");
        due.Record("p1", seen, Now.AddDays(100));
        Assert.True(due.IsDue("p1", Now));
        // The next visit reads the new record.
        due.Record("p1", due.Generation("p1"), Now.AddDays(1));
        Assert.False(due.IsDue("p1", Now));
        Assert.True(due.IsDue("p1", Now.AddDays(1)));
    }
}

using System.Globalization;
using Warning.Analytics.Disputes;

namespace Warning.Analytics.Simulation;

/// <summary>
/// Calendar effects on how many disputes of each category are opened. Factors are relative to an ordinary day (1.0);
/// the simulator normalises them so the yearly mean rate stays at <see cref="SimulatorOptions.CasesPerVillagePerDay"/>.
/// </summary>
public static class Seasonality
{
    /// <summary>Spring Festival (春节, first day of the lunar year) in the simulator's years, as published.</summary>
    public static IReadOnlyList<DateOnly> SpringFestivals { get; } =
    [
        new(2021, 2, 12), new(2022, 2, 1), new(2023, 1, 22), new(2024, 2, 10), new(2025, 1, 29), new(2026, 2, 17),
        new(2027, 2, 6), new(2028, 1, 26), new(2029, 2, 13), new(2030, 2, 3), new(2031, 1, 23),
    ];

    private static readonly ChineseLunisolarCalendar Lunar = new();

    /// <summary>
    /// The Spring Festival of the given Gregorian year: the table, else .NET's Chinese lunisolar calendar (lunar years
    /// 1901 to 2100), else 5 February, near the average. Any year a <see cref="DateOnly"/> can hold (1 to 9999).
    /// </summary>
    public static DateOnly SpringFestival(int year)
    {
        foreach (var d in SpringFestivals) if (d.Year == year) return d;
        if (year >= Lunar.MinSupportedDateTime.Year && year < Lunar.MaxSupportedDateTime.Year)
            return DateOnly.FromDateTime(Lunar.ToDateTime(year, 1, 1, 0, 0, 0, 0));
        return new DateOnly(year, 2, 5);
    }

    /// <summary>
    /// Days until the next Spring Festival (0 on the day itself) and days since the last one (0 on the day); defined for
    /// every date, 1 January 0001 and 31 December 9999 included.
    /// </summary>
    public static (int DaysBefore, int DaysAfter) RelativeToSpringFestival(DateOnly date)
    {
        var day = date.DayNumber;
        var thisYear = SpringFestivalDayNumber(date.Year);
        var next = day <= thisYear ? thisYear : SpringFestivalDayNumber(date.Year + 1);
        var previous = day >= thisYear ? thisYear : SpringFestivalDayNumber(date.Year - 1);
        return (next - day, day - previous);
    }

    /// <summary>
    /// As a day number, so the neighbours of the first and last years a DateOnly holds (0 and 10000, which it cannot)
    /// still have a festival: a common year away from their neighbour's. A report dated 0001 once made scoring throw here.
    /// </summary>
    private static int SpringFestivalDayNumber(int year) => year switch
    {
        < 1 => SpringFestival(1).DayNumber - 365 * (1 - year),
        > 9999 => SpringFestival(9999).DayNumber + 365 * (year - 9999),
        _ => SpringFestival(year).DayNumber,
    };

    /// <summary>Relative rate of new cases of <paramref name="category"/> on <paramref name="date"/>.</summary>
    public static double Factor(DisputeCategory category, DateOnly date)
    {
        var (before, after) = RelativeToSpringFestival(date);
        var month = date.Month;
        var nationalDay = month == 10 && date.Day <= 8;
        var springHoliday = after < 8; // the week off: courts, workers and migrants are home, new filings drop

        return category switch
        {
            // Migrant workers come home for the new year and want their year's wages: claims ramp up over ~6 weeks.
            DisputeCategory.LaborWage => before is > 0 and <= 42 ? 1.5 + 2.0 * (1 - before / 42.0) : springHoliday ? 0.4 : 1.0,
            // Debts are called in before the new year too.
            DisputeCategory.Debt => before is > 0 and <= 30 ? 1.6 : springHoliday ? 0.6 : 1.0,
            // Families gather (and quarrel) over the long holidays.
            DisputeCategory.MarriageFamily => before <= 7 || after < 15 ? 1.9 : nationalDay ? 1.7 : 1.0,
            // Spring planting settles boundaries and water; autumn harvest a little; winter is quiet.
            DisputeCategory.Land => month is >= 3 and <= 5 ? 1.8 : month is 9 or 10 ? 1.2 : month is 12 or 1 or 2 ? 0.6 : 1.0,
            // Summer: people outdoors, building work, noise and drainage.
            DisputeCategory.Neighbor => month is >= 6 and <= 8 ? 1.5 : month is 12 or 1 or 2 ? 0.8 : 1.0,
            DisputeCategory.Environment => month is >= 6 and <= 9 ? 1.4 : 1.0,
            // Heating season fees and breakdowns (Gansu heats mid-October to mid-April).
            DisputeCategory.PropertyMgmt => month is >= 11 or <= 3 ? 1.4 : 1.0,
            // Construction season.
            DisputeCategory.Demolition => month is >= 4 and <= 10 ? 1.2 : 0.8,
            // Holiday travel.
            DisputeCategory.Traffic => before <= 15 || after < 10 ? 1.4 : nationalDay ? 1.3 : 1.0,
            // Shopping festivals (Double Eleven) and new-year shopping.
            DisputeCategory.Consumer => month == 11 && date.Day <= 15 ? 1.3 : before is > 0 and <= 20 ? 1.2 : 1.0,
            _ => 1.0,
        };
    }

    /// <summary>Grid workers file fewer reports at weekends.</summary>
    public static double WeekdayFactor(DateOnly date) => date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.8 : 1.08;
}

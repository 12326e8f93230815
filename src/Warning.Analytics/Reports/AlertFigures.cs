namespace Warning.Analytics.Reports;

/// <summary>
/// The alert numbers of one area over one period, from the alert lifecycle points in the time series (the alert grains
/// keep open alerts, not a year of history).
/// </summary>
/// <param name="Fired">Times an alert fired (its first firing, and each firing again after an acknowledgement ran out).</param>
/// <param name="AcknowledgedInTime">Acknowledgements made before the alert first escalated; unknown past the raw points' retention.</param>
/// <param name="Escalated">Escalation steps taken because nobody acknowledged.</param>
/// <param name="MedianAckMinutes">Median time from firing to acknowledgement; unknown past the raw points' retention.</param>
public sealed record AlertFigures(int Fired, int Acknowledged, int? AcknowledgedInTime, int Escalated, double? MedianAckMinutes);

/// <summary>The alert numbers of the period, the previous one and last year's; each null when the time series could not tell.</summary>
public sealed record AlertComparison(AlertFigures? Current, AlertFigures? Previous, AlertFigures? LastYear);

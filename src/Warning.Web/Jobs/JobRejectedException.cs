namespace Warning.Web.Jobs;

/// <summary>
/// A job failure that a retry cannot mend (too little history to train on, a bad argument): the job goes straight to
/// failed on /jobs instead of through the retry schedule.
/// </summary>
public sealed class JobRejectedException(string message) : Exception(message);

namespace Portal.Tests.TestInfrastructure;

/// <summary>
/// The one place a test waits on something it does not drive: an event of the portal's, a browser,
/// another process. Tests wait for events, never for time to pass; the deadline only turns a hang
/// into a failure that says what was awaited, so it is generous enough for a slow, busy machine.
/// </summary>
public static class Patience
{
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Awaits <paramref name="task"/>, which completes on the event described by <paramref name="what"/>;
    /// on a timeout <paramref name="seen"/> says how far things got.
    /// </summary>
    public static async Task For(Task task, string what, Func<string>? seen = null)
    {
        try
        {
            await task.WaitAsync(Deadline);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"Waited {Deadline} for {what}" + (seen is null ? "." : $"; last saw: {seen()}"), e);
        }
    }

    /// <inheritdoc cref="For(Task, string, Func{string})"/>
    public static async Task<T> For<T>(Task<T> task, string what, Func<string>? seen = null)
    {
        await For((Task)task, what, seen);
        return await task;
    }
}

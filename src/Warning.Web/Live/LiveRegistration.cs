using Microsoft.Extensions.Options;

namespace Warning.Web.Live;

public static class LiveRegistration
{
    /// <summary>The screens' settings, checked at start: a bad interval fails the start, not the wall at 3 a.m.</summary>
    public static IServiceCollection AddLiveScreens(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<LiveOptions>().Bind(config.GetSection(LiveOptions.Section)).Validate(Valid<LiveOptions>(LiveOptions.Validate)).ValidateOnStart();
        services.AddOptions<ScreenOptions>().Bind(config.GetSection(ScreenOptions.Section)).Validate(Valid<ScreenOptions>(ScreenOptions.Validate)).ValidateOnStart();
        services.AddSingleton<ScreenViews>();
        return services;
    }

    private static Func<T, bool> Valid<T>(Func<T, IEnumerable<string>> errors) => o =>
    {
        var found = errors(o).ToArray();
        return found.Length == 0 ? true : throw new OptionsValidationException(typeof(T).Name, typeof(T), found);
    };
}

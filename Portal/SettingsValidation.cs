using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Portal;

/// <summary>
/// Every setting is read into its options class and checked before the portal does anything with it,
/// for the web start and for every command alike. Each problem is one line that names the key as an
/// operator writes it, says what is wrong, and where to set it.
/// </summary>
public static class SettingsValidation
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it at start: values that
    /// cannot be read as their type, the data annotations of every property (nested objects and list
    /// items included) and the object's own <see cref="IValidatableObject"/> rules.
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.AddSingleton<IValidateOptions<T>>(sp => new SettingsValidator<T>(section, sp));
        return services.AddOptions<T>()
            .Configure<IConfiguration>((options, configuration) =>
            {
                // The binder's own error for a value it cannot convert ends the start with a stack
                // trace, and it silently drops a list item it cannot read.
                var settings = configuration.GetSection(section);
                if (Unreadable(settings, typeof(T)).ToList() is { Count: > 0 } problems)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(T), problems);
                }
                settings.Bind(options);
            })
            .ValidateOnStart();
    }

    /// <summary>
    /// Checks every setting now. Commands never start the host, which would check them itself; the
    /// web start checks them here too, before the database is touched.
    /// </summary>
    public static void ValidatePortalSettings(this IHost app) =>
        app.Services.GetRequiredService<IStartupValidator>().Validate();

    /// <summary>The line an operator reads: <c>Section:Key</c>, what is wrong, and where to set it.</summary>
    public static string Line(string key, string problem) =>
        $"{key} {problem}. Set it in appsettings.json or as the environment variable {key.Replace(":", "__", StringComparison.Ordinal)}.";

    /// <summary>The value as the line shows it: text in quotes, numbers and durations as they are.</summary>
    internal static string Shown(object? value) => value is string text ? $"'{text}'" : $"{value}";

    private static IEnumerable<string> Unreadable(IConfigurationSection setting, Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            if (setting.Value == "")
            {
                yield break;
            }
            type = underlying;
        }
        var converter = TypeDescriptor.GetConverter(type);
        if (setting.Value is { } value && type != typeof(string) && converter.CanConvertFrom(typeof(string)))
        {
            if (!Readable(converter, type, value))
            {
                yield return Line(setting.Path, $"{Expected(type)} (it is {Shown(value)})");
            }
            yield break;
        }
        var item = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
        foreach (var child in setting.GetChildren())
        {
            // Keys the settings class does not have are ignored, as the binder ignores them.
            if ((item ?? type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase)?.PropertyType) is not { } childType)
            {
                continue;
            }
            foreach (var problem in Unreadable(child, childType))
            {
                yield return problem;
            }
        }
    }

    private static bool Readable(TypeConverter converter, Type type, string value)
    {
        try
        {
            var read = converter.ConvertFromInvariantString(value);
            return !type.IsEnum || Enum.IsDefined(type, read!);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Expected(Type type) =>
        type.IsEnum ? $"must be {string.Join(", ", Enum.GetNames(type)[..^1])} or {Enum.GetNames(type)[^1]}"
        : type == typeof(TimeSpan) ? "must be a duration written hh:mm:ss or d.hh:mm:ss, such as 00:05:00"
        : type == typeof(bool) ? "must be true or false"
        : type == typeof(int) || type == typeof(long) ? "must be a whole number"
        : $"must be a {type.Name}";
}

/// <summary>
/// The data annotations and <see cref="IValidatableObject"/> rules of a settings object, each problem
/// as its one line. <see cref="IValidatableObject"/> results name the property (or the path below the
/// object, with colons) as their member and say the rest of the sentence after the key; they can ask
/// the <see cref="ValidationContext"/> for services such as the host environment. A property whose
/// annotations fail gets no further line.
/// </summary>
internal sealed class SettingsValidator<T>(string section, IServiceProvider services) : IValidateOptions<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, T options) =>
        Problems(options, section, new HashSet<string>(StringComparer.OrdinalIgnoreCase)).ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;

    /// <param name="failed">The keys that already have their line.</param>
    private IEnumerable<string> Problems(object settings, string key, HashSet<string> failed)
    {
        // Only what configuration can set: read-only properties are derived from the others.
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var value = property.GetValue(settings);
            var propertyKey = $"{key}:{property.Name}";
            var broken = property.GetCustomAttributes<ValidationAttribute>()
                .OrderBy(a => a is RequiredAttribute ? 0 : 1)
                .FirstOrDefault(a => !a.IsValid(value));
            if (broken is not null)
            {
                failed.Add(propertyKey);
                yield return SettingsValidation.Line(propertyKey, Problem(broken, value));
            }
            var nested = value is IList list ? list.Cast<object?>().Select((item, i) => (Item: item, Key: $"{propertyKey}:{i}")) : [(value, propertyKey)];
            foreach (var (item, itemKey) in nested.Where(n => IsSettings(n.Item)))
            {
                foreach (var problem in Problems(item!, itemKey, failed))
                {
                    yield return problem;
                }
            }
        }
        if (settings is IValidatableObject validatable)
        {
            foreach (var result in validatable.Validate(new ValidationContext(settings, services, null)))
            {
                var memberKey = $"{key}:{result.MemberNames.First()}";
                if (failed.Add(memberKey))
                {
                    yield return SettingsValidation.Line(memberKey, result.ErrorMessage!);
                }
            }
        }
    }

    /// <summary>Objects of the portal's own settings classes are checked property by property, like the section.</summary>
    private static bool IsSettings(object? value) => value?.GetType() is { IsClass: true } type && type.Assembly == typeof(SettingsValidator<>).Assembly;

    /// <summary>
    /// The rest of the sentence after the key. The attributes the settings use are phrased here; any
    /// other carries its own ErrorMessage, written that way.
    /// </summary>
    private static string Problem(ValidationAttribute attribute, object? value) => attribute switch
    {
        RequiredAttribute => "is not set",
        RangeAttribute range => $"must be between {range.Minimum} and {range.Maximum} (it is {SettingsValidation.Shown(value)})",
        EmailAddressAttribute => $"must be an email address such as someone@example.org (it is {SettingsValidation.Shown(value)})",
        StringLengthAttribute length => $"must be at most {length.MaximumLength} characters long (it is {SettingsValidation.Shown(value)})",
        _ => $"{attribute.FormatErrorMessage("")} (it is {SettingsValidation.Shown(value)})",
    };
}

/// <summary>
/// A setting read before the host exists (the database, the data directory, the key ring's
/// certificate) is wrong; the message is its one line.
/// </summary>
public sealed class SettingException(string key, string problem) : Exception(SettingsValidation.Line(key, problem));

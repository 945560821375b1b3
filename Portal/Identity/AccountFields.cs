namespace Portal.Identity;

/// <summary>
/// The texts of the fields every form that makes an account shows (sign-up, invitation): user name,
/// address, password. Their resources are <c>AccountFields.resx</c> and its translations.
/// </summary>
public sealed class AccountFields;

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.utils.decorators import method_decorator

from .forms import EmailLoginForm


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = EmailLoginForm
    redirect_authenticated_user = True
    extra_context = {"title": "Se connecter"}

    def form_invalid(self, form: EmailLoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_invalid(form)
        if wait := form.locked_for():
            response.status_code = 429
            response["Retry-After"] = str(wait)
        return response


class LogoutView(auth_views.LogoutView):
    pass

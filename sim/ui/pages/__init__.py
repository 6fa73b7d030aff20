"""Page scripts for st.navigation: each calls the render() of one page module."""
